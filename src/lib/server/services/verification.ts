import type { AppDatabase } from '../db/tenant-scope';
import type { CertificateStatus } from '../../../../db/schema';
import { todayInZone, type IsoDate } from '../domain/calendar';
import { certificateOn } from '../domain/public-verification';
import {
	findBodiesByCertificateNumber,
	findPublicBody,
	findPublicCertificate,
	listPublicHistory,
	searchPublicCertificates,
	type PublicBody
} from '../repositories/public-certificates';

/*
 * Public certificate verification (issue 13 item 1): anyone, signed in or not, asks whether a
 * certificate is valid — today or on a chosen day. Only public facts leave here: the body, the
 * organisation (name, USCC), the standard, scope, grade, status and validity. Each body's rows
 * are read in its own tenant scope (row-level security), found through the public lookups of
 * migration 2026-12-03-17.
 */

/** At most this many certificates answer one search. */
export const SEARCH_LIMIT = 20;

/** What a public page shows of a certificate; nothing else leaves the service. */
export interface PublicCertificate {
	number: string;
	organisationName: string;
	uscc: string;
	standardCode: string;
	standardTitleZh: string;
	standardTitleEn: string;
	issuedOn: IsoDate;
	expiresOn: IsoDate;
	/** As of today in the body's time zone (expiry by date, not only by the nightly sweep). */
	today: PublicState;
}

/** The certificate on one day. */
export type PublicState =
	| { kind: 'not_issued'; on: IsoDate }
	| {
			kind: 'state';
			on: IsoDate;
			status: CertificateStatus;
			scope: string;
			gradeZh: string | null;
			gradeEn: string | null;
	  };

export interface PublicBodyView {
	slug: string;
	name: string;
}

type Row = NonNullable<Awaited<ReturnType<typeof findPublicCertificate>>>;
type HistoryRows = Awaited<ReturnType<typeof listPublicHistory>>;

function stateOn(row: Row, history: HistoryRows, on: IsoDate): PublicState {
	const state = certificateOn(row, history, on);
	if (state.kind === 'not_issued') return state;
	const grades = new Map<string, { zh: string | null; en: string | null }>();
	for (const step of history)
		if (step.to_grade_level_id)
			grades.set(step.to_grade_level_id, { zh: step.to_grade_zh, en: step.to_grade_en });
	if (row.grade_level_id) grades.set(row.grade_level_id, { zh: row.grade_zh, en: row.grade_en });
	const grade = state.gradeLevelId ? grades.get(state.gradeLevelId) : undefined;
	return {
		kind: 'state',
		on,
		status: state.status,
		scope: state.scope,
		gradeZh: grade?.zh ?? null,
		gradeEn: grade?.en ?? null
	};
}

function publicOf(row: Row, history: HistoryRows, today: IsoDate): PublicCertificate {
	return {
		number: row.number,
		organisationName: row.organisation_name,
		uscc: row.uscc,
		standardCode: row.standard_code,
		standardTitleZh: row.standard_title_zh,
		standardTitleEn: row.standard_title_en,
		issuedOn: row.issued_on,
		expiresOn: row.expires_on,
		today: stateOn(row, history, today)
	};
}

const bodyView = (body: PublicBody): PublicBodyView => ({ slug: body.slug, name: body.name });

/** The body with this public slug, or null. */
export async function publicBody(db: AppDatabase, slug: string): Promise<PublicBodyView | null> {
	const body = await db.asPerson(null, (tx) => findPublicBody(tx, slug));
	return body ? bodyView(body) : null;
}

/**
 * `/verify/<slug>`: that body's certificates by exact number, exact USCC or part of the
 * organisation's name. Null when no body has the slug.
 */
export async function searchBody(db: AppDatabase, slug: string, text: string, now: Date) {
	const body = await db.asPerson(null, (tx) => findPublicBody(tx, slug));
	if (!body) return null;
	if (!text) return { body: bodyView(body), certificates: [] as PublicCertificate[] };
	const today = todayInZone(now, body.time_zone);
	const certificates = await db.inTenant({ tenantId: body.id, userId: null }, async (tx) => {
		const rows = await searchPublicCertificates(tx, text, SEARCH_LIMIT);
		return Promise.all(
			rows.map(async (row) => publicOf(row, await listPublicHistory(tx, row.id), today))
		);
	});
	return { body: bodyView(body), certificates };
}

/**
 * `/verify`: the certificates numbered exactly `number`, in whichever body holds one — never a
 * search by name across bodies.
 */
export async function findByNumber(db: AppDatabase, number: string, now: Date) {
	if (!number) return [];
	const bodies = await db.asPerson(null, (tx) => findBodiesByCertificateNumber(tx, number));
	const found: { body: PublicBodyView; certificate: PublicCertificate }[] = [];
	for (const body of bodies) {
		const certificate = await db.inTenant({ tenantId: body.id, userId: null }, async (tx) => {
			const row = await findPublicCertificate(tx, number);
			return row
				? publicOf(row, await listPublicHistory(tx, row.id), todayInZone(now, body.time_zone))
				: null;
		});
		if (certificate) found.push({ body: bodyView(body), certificate });
	}
	return found;
}

/**
 * One certificate's public page: today, and on `on` when asked (history replayed). Null when
 * the body or the number is unknown.
 */
export async function publicCertificate(
	db: AppDatabase,
	slug: string,
	number: string,
	now: Date,
	on?: IsoDate
) {
	const body = await db.asPerson(null, (tx) => findPublicBody(tx, slug));
	if (!body) return null;
	return db.inTenant({ tenantId: body.id, userId: null }, async (tx) => {
		const row = await findPublicCertificate(tx, number);
		if (!row) return null;
		const history = await listPublicHistory(tx, row.id);
		return {
			body: bodyView(body),
			certificate: publicOf(row, history, todayInZone(now, body.time_zone)),
			asOf: on ? stateOn(row, history, on) : null
		};
	});
}

/** The address of a certificate's public page, from the app's public ORIGIN. */
export function publicCertificatePath(slug: string, number: string): string {
	return `/verify/${encodeURIComponent(slug)}/${encodeURIComponent(number)}`;
}
