import type { CertificateHistoryChange, CertificateStatus } from '../../../../db/schema';
import { addDays, addMonths, isIsoDate, type IsoDate } from './calendar';

/*
 * Registry exports (issue 13 item 5; SPEC §6): every certificate change of a period, one row per
 * change, in the columns two public registries take. Pure: the columns, the words each registry
 * uses for a status and a change, and the default period. The values are the registries'
 * vocabulary, not the reader's: the files are the same in either language of the page.
 *
 * IAF CertSearch (support.iafcertsearch.org, "Field Name Glossary › Certification Template for
 * Certification Body"): header names are matched exactly by its uploader, dates are YYYYMMDD,
 * statuses one of Active / Suspended / Withdrawn / Expired (…). Names marked "inferred" in
 * README.md ("Registry exports") are not in that glossary as we found it.
 *
 * 全国认证认可信息公共服务平台 (CNCA): the fields the issue lists, in its order and words.
 */

export const REGISTRY_FILES = ['iaf-certsearch', 'cnca'] as const;
export type RegistryFile = (typeof REGISTRY_FILES)[number];

export const isRegistryFile = (value: string): value is RegistryFile =>
	(REGISTRY_FILES as readonly string[]).includes(value);

/**
 * What the files say of the body issuing the certificates rather than of one change: who accredits
 * it, a tenant setting (`tenants.accreditation_body`, kept on /settings; CNAS, the accreditation
 * body of the Chinese service-certification bodies the product is built for, unless the admin
 * changes it; '' when the body is not accredited).
 */
export interface RegistryIssuer {
	accreditationBody: string;
}

/**
 * certificate_history.change, but `imported` (not a change) and `previous_body` (a change at the
 * body it was transferred from): repositories/registry.ts skips both.
 */
export type CertificateChange = Exclude<CertificateHistoryChange, 'imported' | 'previous_body'>;

/** One change of one certificate, with what both files read of the certificate. */
export interface RegistryChange {
	historyId: string;
	certificateId: string;
	certificateNumber: string;
	organisationName: string;
	uscc: string;
	address: string;
	standardCode: string;
	standardTitleZh: string;
	standardTitleEn: string | null;
	/** The scope in force after the change (the one it set, or the latest set before it). */
	scope: string;
	/** The status in force after the change (the one it set, or the latest set before it). */
	status: CertificateStatus;
	change: CertificateChange;
	/** The day the change took effect: the file's change date. */
	effectiveOn: IsoDate;
	decisionKind: string | null;
	decisionReason: string | null;
	/** The first issue of the certificate (its earliest `issued` line), if recorded. */
	originalIssuedOn: IsoDate | null;
	issuedOn: IsoDate;
	expiresOn: IsoDate;
}

const IAF_STATUS: Record<CertificateStatus, string> = {
	active: 'Active',
	suspended: 'Suspended',
	withdrawn: 'Withdrawn',
	expired: 'Expired'
};

/** CNCA's words: 注销 is how the platform names a certificate no longer valid by expiry. */
export const CNCA_STATUS: Record<CertificateStatus, string> = {
	active: '有效',
	suspended: '暂停',
	withdrawn: '撤销',
	expired: '注销'
};

/** 变更原因 when no decision's reason stands behind the change (the expiry clock, a renewal). */
export const CNCA_CHANGE: Record<CertificateChange, string> = {
	issued: '颁发证书',
	status: '证书状态变更',
	grade: '证书等级变更',
	scope: '认证范围变更',
	expired: '证书有效期届满',
	renewed: '再认证换发证书',
	transferred: '自其他认证机构转入'
};

/** 'YYYY-MM-DD' as IAF CertSearch takes dates: 'YYYYMMDD'. */
export const iafDate = (day: IsoDate | null): string | null =>
	day ? day.replaceAll('-', '') : null;

export interface RegistryColumn {
	header: string;
	kind: 'text' | 'date';
	value(row: RegistryChange, issuer: RegistryIssuer): string | null;
}

const column = (
	header: string,
	value: RegistryColumn['value'],
	kind: RegistryColumn['kind'] = 'text'
): RegistryColumn => ({ header, kind, value });

export const IAF_COLUMNS: readonly RegistryColumn[] = [
	column('Certification Identity Number', (row) => row.certificateId),
	column('Certificate Number', (row) => row.certificateNumber),
	column('Certification Status', (row) => IAF_STATUS[row.status]),
	column('Accreditation Status', (_row, issuer) =>
		issuer.accreditationBody ? 'Accredited' : 'Unaccredited'
	),
	column('Certification Type', () => 'Product'),
	column('Certification Scope', (row) => row.scope),
	// YYYYMMDD is a text for the spreadsheet: written as it is, not as a number.
	column('Certification Original Issue Date', (row) => iafDate(row.originalIssuedOn)),
	column('Certification Issue Date', (row) => iafDate(row.issuedOn)),
	column('Certification Expiry Date', (row) => iafDate(row.expiresOn)),
	column('Certified Entity Name', (row) => row.organisationName),
	column('Certified Entity Address', (row) => row.address),
	column('Standards and Schemes', (row) => row.standardCode),
	column('Accreditation Body', (_row, issuer) => issuer.accreditationBody || null),
	column('Status Change Date', (row) => iafDate(row.effectiveOn))
];

export const CNCA_COLUMNS: readonly RegistryColumn[] = [
	column('证书编号', (row) => row.certificateNumber),
	column('获证组织名称', (row) => row.organisationName),
	column('统一社会信用代码', (row) => row.uscc),
	column('认证项目', (row) => `${row.standardCode} ${row.standardTitleZh}`.trim()),
	column('认证范围', (row) => row.scope),
	column('证书状态', (row) => CNCA_STATUS[row.status]),
	column('颁证日期', (row) => row.issuedOn, 'date'),
	column('有效期至', (row) => row.expiresOn, 'date'),
	column('变更日期', (row) => row.effectiveOn, 'date'),
	column('变更原因', (row) => row.decisionReason?.trim() || CNCA_CHANGE[row.change])
];

export const REGISTRY_COLUMNS: Record<RegistryFile, readonly RegistryColumn[]> = {
	'iaf-certsearch': IAF_COLUMNS,
	cnca: CNCA_COLUMNS
};

export interface RegistryPeriod {
	from: IsoDate;
	to: IsoDate;
	/** 'YYYY-MM' when the period is one whole calendar month. */
	month: string | null;
}

/** The month before `today`'s: what a monthly report to a registry covers. */
export function lastMonth(today: IsoDate): string {
	return addMonths(`${today.slice(0, 7)}-01`, -1).slice(0, 7);
}

/** A month 'YYYY-MM' as its first and last day. */
export function monthPeriod(month: string): RegistryPeriod | null {
	if (!/^\d{4}-\d{2}$/.test(month) || !isIsoDate(`${month}-01`)) return null;
	const from = `${month}-01`;
	return { from, to: addDays(addMonths(from, 1), -1), month };
}

/** The longest period one file covers: a year and a day is plenty for an annual report. */
export const MAX_PERIOD_DAYS = 366;

export function registryPeriodProblem(from: IsoDate, to: IsoDate): 'order' | 'length' | null {
	if (from > to) return 'order';
	if (addDays(from, MAX_PERIOD_DAYS) <= to) return 'length';
	return null;
}

/** The period of from/to, named as a month when it is exactly one. */
export function periodOf(from: IsoDate, to: IsoDate): RegistryPeriod {
	const month = monthPeriod(from.slice(0, 7));
	return month && month.from === from && month.to === to ? month : { from, to, month: null };
}
