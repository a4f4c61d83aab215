import { describe, expect, it } from 'vitest';
import {
	CNCA_COLUMNS,
	IAF_COLUMNS,
	iafDate,
	isRegistryFile,
	lastMonth,
	monthPeriod,
	periodOf,
	registryPeriodProblem,
	type RegistryChange,
	type RegistryIssuer
} from '../../src/lib/server/domain/registry-export';

/* Issue 13 item 5, the pure part: the default month, periods, dates and the registries' words. */

const change: RegistryChange = {
	historyId: 'h1',
	certificateId: 'c1',
	certificateNumber: 'DCB-27922-2025-0001',
	organisationName: '厦门立顺捷机电服务有限公司',
	uscc: '91350206MA31RQB972',
	address: '厦门市湖里区',
	standardCode: 'GB/T 27922-2011',
	standardTitleZh: '商品售后服务评价体系',
	standardTitleEn: 'After-sales service',
	scope: '家用电器售后服务',
	status: 'expired',
	change: 'expired',
	effectiveOn: '2026-11-09',
	decisionKind: null,
	decisionReason: null,
	originalIssuedOn: '2023-11-10',
	issuedOn: '2023-11-10',
	expiresOn: '2026-11-09'
};

const valuesOf = (
	columns: typeof CNCA_COLUMNS,
	row: RegistryChange,
	issuer: RegistryIssuer = { accreditationBody: 'CNAS' }
) => Object.fromEntries(columns.map((column) => [column.header, column.value(row, issuer)]));

describe('registry exports (pure)', () => {
	it('takes last month as the default, across a year', () => {
		expect(lastMonth('2026-12-04')).toBe('2026-11');
		expect(lastMonth('2027-01-01')).toBe('2026-12');
		expect(lastMonth('2026-03-31')).toBe('2026-02');
	});

	it('turns a month into its days, and names a whole month as one', () => {
		expect(monthPeriod('2028-02')).toEqual({
			from: '2028-02-01',
			to: '2028-02-29',
			month: '2028-02'
		});
		expect(monthPeriod('2026-13')).toBeNull();
		expect(monthPeriod('26-01')).toBeNull();
		expect(periodOf('2026-11-01', '2026-11-30').month).toBe('2026-11');
		expect(periodOf('2026-11-01', '2026-11-29').month).toBeNull();
	});

	it('refuses a period out of order or longer than 366 days', () => {
		expect(registryPeriodProblem('2026-11-02', '2026-11-01')).toBe('order');
		expect(registryPeriodProblem('2026-01-01', '2027-01-01')).toBeNull();
		expect(registryPeriodProblem('2026-01-01', '2027-01-02')).toBe('length');
		expect(registryPeriodProblem('2026-11-01', '2026-11-01')).toBeNull();
	});

	it('writes IAF dates as YYYYMMDD and knows its two files', () => {
		expect(iafDate('2026-01-10')).toBe('20260110');
		expect(iafDate(null)).toBeNull();
		expect(isRegistryFile('cnca')).toBe(true);
		expect(isRegistryFile('iaf-certsearch')).toBe(true);
		expect(isRegistryFile('other')).toBe(false);
	});

	it('says an expiry in the CNCA platform’s words, the change’s name without a decision', () => {
		expect(valuesOf(CNCA_COLUMNS, change)).toEqual({
			证书编号: 'DCB-27922-2025-0001',
			获证组织名称: '厦门立顺捷机电服务有限公司',
			统一社会信用代码: '91350206MA31RQB972',
			认证项目: 'GB/T 27922-2011 商品售后服务评价体系',
			认证范围: '家用电器售后服务',
			证书状态: '注销',
			颁证日期: '2023-11-10',
			有效期至: '2026-11-09',
			变更日期: '2026-11-09',
			变更原因: '证书有效期届满'
		});
		const withdrawn = { ...change, status: 'withdrawn' as const, change: 'status' as const };
		expect(
			valuesOf(CNCA_COLUMNS, { ...withdrawn, decisionReason: '  暂停期满未整改  ' })
		).toMatchObject({ 证书状态: '撤销', 变更原因: '暂停期满未整改' });
		expect(valuesOf(CNCA_COLUMNS, { ...change, status: 'active' })['证书状态']).toBe('有效');
		expect(valuesOf(CNCA_COLUMNS, { ...change, status: 'suspended' })['证书状态']).toBe('暂停');
	});

	it('fills IAF CertSearch’s columns from the certificate and the change', () => {
		expect(valuesOf(IAF_COLUMNS, change)).toMatchObject({
			'Certification Identity Number': 'c1',
			'Certification Status': 'Expired',
			'Certification Original Issue Date': '20231110',
			'Certification Expiry Date': '20261109',
			'Certified Entity Address': '厦门市湖里区',
			'Standards and Schemes': 'GB/T 27922-2011',
			'Accreditation Status': 'Accredited',
			'Accreditation Body': 'CNAS',
			'Status Change Date': '20261109'
		});
	});

	it('names the body’s own accreditation body, or says it is not accredited', () => {
		expect(valuesOf(IAF_COLUMNS, change, { accreditationBody: 'UKAS' })).toMatchObject({
			'Accreditation Status': 'Accredited',
			'Accreditation Body': 'UKAS'
		});
		expect(valuesOf(IAF_COLUMNS, change, { accreditationBody: '' })).toMatchObject({
			'Accreditation Status': 'Unaccredited',
			'Accreditation Body': null
		});
	});
});
