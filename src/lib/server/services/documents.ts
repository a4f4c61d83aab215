import { createHash, randomInt } from 'node:crypto';
import type { AppDatabase, Tx } from '../db/tenant-scope';
import { scopeOf, type Actor } from '../actor';
import type { DocumentKind, Locale } from '../../../../db/schema';
import { Refusal, notFound } from '../errors';
import { translate } from '../i18n/translate';
import { dateTimeFormat, formatMoment } from '../../date-format';
import { renderPdf, type PdfBlock, type PdfLayout } from '../pdf/document-pdf';
import * as repo from '../repositories/documents';
import { loadVisibleCertificate } from './certificates';
import { getEvaluation } from './evaluations';
import { getFindingDetail } from './finding-detail';
import { organisationMaySee } from './finding-access';
import { publicCertificate, publicCertificatePath, type PublicCertificate } from './verification';
import { findPublicBody } from '../repositories/public-certificates';
import { recordAudit } from '../repositories/audit';

/*
 * Printable documents (issue 13 item 3): the certificate, the evaluation report and the
 * nonconformity report as PDFs in the reader's language. Who may download one is who may open
 * its page: each reads its subject through that page's own service (the same permission checks).
 * Every PDF generated is recorded (documents table) with the SHA-256 of its bytes and the short
 * code printed on it, so /verify answers "is this PDF genuine?" for any of them.
 */

export interface GeneratedDocument {
	filename: string;
	bytes: Buffer;
	code: string;
}

/** Digits and capitals without 0/O and 1/I, which a reader typing from paper confuses. */
const CODE_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';

/** A new verification code: 12 characters (60 bits) in three groups, `7KQ2-M9XD-4TWA`. */
export function newDocumentCode(): string {
	let code = '';
	for (let i = 0; i < 12; i++) code += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
	return `${code.slice(0, 4)}-${code.slice(4, 8)}-${code.slice(8)}`;
}

/** A code as typed (any case, spaces or no dashes) in its printed form, or null if it is none. */
export function normaliseDocumentCode(typed: string): string | null {
	const plain = typed.toUpperCase().replace(/[^0-9A-Z]/g, '');
	if (plain.length !== 12) return null;
	return `${plain.slice(0, 4)}-${plain.slice(4, 8)}-${plain.slice(8)}`;
}

export function sha256Of(bytes: Uint8Array): Buffer {
	return createHash('sha256').update(bytes).digest();
}

type Letterhead = NonNullable<Awaited<ReturnType<typeof repo.findLetterhead>>>;

const bodyNameOf = (body: Pick<Letterhead, 'name' | 'name_en'>, locale: Locale) =>
	locale === 'en' && body.name_en ? body.name_en : body.name;

function day(locale: Locale, iso: string | null | undefined): string {
	if (!iso) return '';
	// A calendar day: formatted at noon UTC so no zone moves it to the day before.
	return dateTimeFormat(locale, { dateStyle: 'long', timeZone: 'UTC' }).format(
		new Date(`${iso}T12:00:00Z`)
	);
}

const t = translate;

/** What every document shares: the letterhead, the code, the footer and the verification link. */
interface Frame {
	kind: DocumentKind;
	subjectId: string;
	tenantId: string;
	generatedBy: string | null;
	locale: Locale;
	origin: string;
	now: Date;
}

/** Renders the layout with its footer, records the document and audits it, in `tx`. */
async function generate(
	tx: Tx,
	frame: Frame,
	content: Omit<
		PdfLayout,
		'bodyName' | 'logo' | 'footer' | 'pageLabel' | 'language' | 'generatedAt' | 'code' | 'qr'
	> & { qrUrl?: string; qrCaption?: string },
	filename: string
): Promise<GeneratedDocument> {
	const body = await repo.findLetterhead(tx, frame.tenantId);
	if (!body) throw notFound();
	const code = newDocumentCode();
	const verifyUrl = `${frame.origin}/verify?code=${encodeURIComponent(code)}`;
	const generatedAt = new Date(Math.floor(frame.now.getTime() / 1000) * 1000);
	const { qrUrl, qrCaption, ...layout } = content;
	const bytes = await renderPdf({
		...layout,
		bodyName: bodyNameOf(body, frame.locale),
		logo: body.logo && body.logo_type ? { bytes: body.logo, type: body.logo_type } : null,
		qr: {
			url: qrUrl ?? verifyUrl,
			caption: qrCaption ?? t('documents_qr_verify_document', frame.locale)
		},
		footer: t('documents_footer', frame.locale, {
			code,
			generated: formatMoment(frame.locale, body.time_zone, generatedAt),
			url: `${frame.origin}/verify`
		}),
		pageLabel: t('documents_page_label', frame.locale, { page: '{page}', pages: '{pages}' }),
		language: frame.locale,
		generatedAt,
		code
	});
	const sha256 = sha256Of(bytes);
	const { id } = await repo.insertDocument(tx, {
		tenantId: frame.tenantId,
		kind: frame.kind,
		subjectId: frame.subjectId,
		sha256,
		code,
		generatedAt,
		generatedBy: frame.generatedBy,
		locale: frame.locale
	});
	// Who generated it: the signed-in person, or nobody (the public certificate page).
	await recordAudit(tx, {
		tenantId: frame.tenantId,
		actorUserId: frame.generatedBy,
		action: 'document.generate',
		entityType: 'document',
		entityId: id,
		after: {
			kind: frame.kind,
			subjectId: frame.subjectId,
			code,
			sha256: sha256.toString('hex'),
			locale: frame.locale
		}
	});
	return { filename, bytes, code };
}

/* The certificate. */

function certificateLayout(
	certificate: PublicCertificate,
	locale: Locale
): Pick<PdfLayout, 'title' | 'subtitle' | 'blocks'> {
	const state = certificate.today;
	const grade =
		state.kind === 'state' ? ((locale === 'en' ? state.gradeEn : state.gradeZh) ?? '') : '';
	const standardTitle =
		locale === 'en'
			? certificate.standardTitleEn || certificate.standardTitleZh
			: certificate.standardTitleZh;
	const rows: [string, string][] = [
		[t('documents_field_certificate_number', locale), certificate.number],
		[t('documents_field_organisation', locale), certificate.organisationName],
		[t('documents_field_uscc', locale), certificate.uscc],
		[t('documents_field_standard', locale), `${certificate.standardCode} ${standardTitle}`.trim()],
		[t('documents_field_scope', locale), state.kind === 'state' ? state.scope : ''],
		[t('documents_field_grade', locale), grade],
		[
			t('documents_field_status', locale),
			state.kind === 'state' ? t(`status_${state.status}`, locale) : ''
		],
		[
			t('documents_field_validity', locale),
			t('documents_validity', locale, {
				from: day(locale, certificate.issuedOn),
				to: day(locale, certificate.expiresOn)
			})
		]
	];
	return {
		title: t('documents_certificate_title', locale),
		subtitle: t('documents_certificate_subtitle', locale, {
			organisation: certificate.organisationName
		}),
		blocks: [
			{ kind: 'facts', rows },
			{ kind: 'paragraph', text: t('documents_certificate_note', locale) }
		]
	};
}

async function certificateDocumentOf(
	db: AppDatabase,
	tenant: { id: string; slug: string },
	certificateId: string,
	number: string,
	generatedBy: string | null,
	locale: Locale,
	origin: string,
	now: Date
) {
	const page = await publicCertificate(db, tenant.slug, number, now);
	if (!page) throw notFound();
	const pageUrl = origin + publicCertificatePath(page.body.slug, page.certificate.number);
	return db.inTenant({ tenantId: tenant.id, userId: generatedBy }, (tx) =>
		generate(
			tx,
			{
				kind: 'certificate',
				subjectId: certificateId,
				tenantId: tenant.id,
				generatedBy,
				locale,
				origin,
				now
			},
			{
				...certificateLayout(page.certificate, locale),
				qrUrl: pageUrl,
				qrCaption: t('documents_qr_verify_certificate', locale)
			},
			`${t('documents_certificate_file', locale)}-${page.certificate.number}.pdf`
		)
	);
}

/** The certificate as a PDF, for who may open its page (the body's staff, its organisation). */
export async function certificateDocument(
	db: AppDatabase,
	actor: Actor,
	certificateId: string,
	locale: Locale,
	origin: string,
	now = new Date()
): Promise<GeneratedDocument> {
	const certificate = await db.inTenant(scopeOf(actor), (tx) =>
		loadVisibleCertificate(tx, actor, certificateId)
	);
	return certificateDocumentOf(
		db,
		{ id: actor.tenantId, slug: actor.tenant.slug },
		certificateId,
		certificate.number,
		actor.userId,
		locale,
		origin,
		now
	);
}

/** The certificate as a PDF from its public verification page: anyone, signed in or not. */
export async function publicCertificateDocument(
	db: AppDatabase,
	slug: string,
	number: string,
	locale: Locale,
	origin: string,
	now = new Date()
): Promise<GeneratedDocument | null> {
	const page = await publicCertificate(db, slug, number, now);
	if (!page) return null;
	const body = await db.asPerson(null, (tx) => findPublicBody(tx, slug));
	if (!body) return null;
	const tenant = body.id;
	const certificateId = await db.inTenant({ tenantId: tenant, userId: null }, (tx) =>
		repo.findCertificateIdByNumber(tx, number)
	);
	if (!certificateId) return null;
	return certificateDocumentOf(
		db,
		{ id: tenant, slug },
		certificateId,
		number,
		null,
		locale,
		origin,
		now
	);
}

/* The evaluation report. */

/** The evaluation report as a PDF, once issued: the body's staff and the organisation's users. */
export async function evaluationReportDocument(
	db: AppDatabase,
	actor: Actor,
	evaluationId: string,
	locale: Locale,
	origin: string,
	now = new Date()
): Promise<GeneratedDocument> {
	const detail = await getEvaluation(db, actor, evaluationId, now);
	const evaluation = detail.evaluation;
	if (!organisationMaySee(evaluation.status))
		throw new Refusal('CONFLICT', 'documents_error_report_not_issued');
	const standardTitle =
		locale === 'en'
			? evaluation.standard_title_en || evaluation.standard_title_zh
			: evaluation.standard_title_zh;
	const reference = evaluation.reference ?? '';
	const blocks: PdfBlock[] = [
		{
			kind: 'facts',
			rows: [
				[t('documents_field_organisation', locale), evaluation.organisation_name],
				[t('documents_field_standard', locale), `${evaluation.standard_code} ${standardTitle}`],
				[t('documents_field_certificate_number', locale), evaluation.certificate_number ?? ''],
				[
					t('documents_field_evaluation_kind', locale),
					t(`evaluations_kind_${evaluation.kind}`, locale)
				],
				[t('documents_field_reference', locale), reference],
				[
					t('documents_field_window', locale),
					t('documents_validity', locale, {
						from: day(locale, evaluation.window_start),
						to: day(locale, evaluation.window_end)
					})
				],
				[
					t('documents_field_report_issued', locale),
					evaluation.report_issued_at
						? formatMoment(locale, actor.tenant.timeZone, evaluation.report_issued_at)
						: ''
				]
			]
		},
		{ kind: 'heading', text: t('documents_heading_team', locale) },
		{
			kind: 'table',
			columns: [t('documents_col_name', locale), t('documents_col_team_role', locale)],
			widths: [0.6, 0.4],
			rows: detail.team.map((member) => [
				member.name,
				member.team_role === 'lead'
					? t('evaluations_team_lead', locale)
					: t('documents_team_member', locale)
			]),
			empty: t('documents_none', locale)
		},
		{ kind: 'heading', text: t('documents_heading_findings', locale) },
		{
			kind: 'table',
			columns: [
				t('documents_col_reference', locale),
				t('documents_col_kind', locale),
				t('documents_col_clause', locale),
				t('documents_col_statement', locale),
				t('documents_col_due', locale),
				t('documents_col_status', locale)
			],
			widths: [0.12, 0.15, 0.1, 0.37, 0.13, 0.13],
			rows: detail.findings.map((finding) => [
				finding.reference,
				finding.grade
					? `${t(`evaluations_finding_kind_${finding.kind}`, locale)} · ${t(`evaluations_grade_${finding.grade}`, locale)}`
					: t(`evaluations_finding_kind_${finding.kind}`, locale),
				finding.clause_number ?? '',
				finding.statement,
				day(locale, finding.due_on),
				t(`findings_status_${finding.status}`, locale)
			]),
			empty: t('documents_no_findings', locale)
		}
	];
	return db.inTenant(scopeOf(actor), (tx) =>
		generate(
			tx,
			{
				kind: 'evaluation_report',
				subjectId: evaluationId,
				tenantId: actor.tenantId,
				generatedBy: actor.userId,
				locale,
				origin,
				now
			},
			{
				title: t('documents_report_title', locale),
				subtitle: [evaluation.organisation_name, reference].filter(Boolean).join(' · '),
				blocks
			},
			`${t('documents_report_file', locale)}-${reference || evaluationId.slice(0, 8)}.pdf`
		)
	);
}

/* The nonconformity report. */

/** A nonconformity's report as a PDF: who may open the finding (its team, the organisation). */
export async function nonconformityReportDocument(
	db: AppDatabase,
	actor: Actor,
	findingId: string,
	locale: Locale,
	origin: string,
	now = new Date()
): Promise<GeneratedDocument> {
	const detail = await getFindingDetail(db, actor, findingId, now);
	const { finding } = detail;
	if (finding.kind !== 'nonconformity')
		throw new Refusal('CONFLICT', 'documents_error_not_nonconformity');
	const zone = actor.tenant.timeZone;
	const moment = (at: Date | string | null | undefined) =>
		at ? formatMoment(locale, zone, at) : '';
	const clause = detail.clause
		? `${detail.clause.number} ${locale === 'en' ? detail.clause.titleEn || detail.clause.titleZh : detail.clause.titleZh}`
		: '';
	const [response] = detail.responses;
	const blocks: PdfBlock[] = [
		{
			kind: 'facts',
			rows: [
				[t('documents_field_organisation', locale), detail.organisation.name],
				[t('documents_field_standard', locale), detail.standard.code],
				[t('documents_field_clause', locale), clause],
				[
					t('documents_field_grade', locale),
					finding.grade ? t(`evaluations_grade_${finding.grade}`, locale) : ''
				],
				[t('documents_field_status', locale), t(`findings_status_${finding.status}`, locale)],
				[
					t('documents_field_raised', locale),
					`${day(locale, finding.raisedOn)} · ${finding.raisedByName}`
				],
				[t('documents_field_due', locale), day(locale, finding.dueOn)]
			]
		},
		{ kind: 'heading', text: t('documents_heading_finding', locale) },
		{ kind: 'paragraph', text: finding.statement },
		...(finding.objectiveEvidence
			? ([
					{ kind: 'heading', text: t('documents_heading_objective_evidence', locale) },
					{ kind: 'paragraph', text: finding.objectiveEvidence }
				] satisfies PdfBlock[])
			: []),
		{ kind: 'heading', text: t('documents_heading_response', locale) },
		response
			? {
					kind: 'facts',
					rows: [
						[t('documents_field_correction', locale), response.correction],
						[t('documents_field_root_cause', locale), response.rootCause],
						[t('documents_field_corrective_action', locale), response.correctiveAction],
						[t('documents_field_action_owner', locale), response.owner],
						[t('documents_field_target', locale), day(locale, response.targetOn)],
						[
							t('documents_field_submitted', locale),
							`${moment(response.submittedAt)} · ${response.submittedByName ?? ''}`
						],
						[
							t('documents_field_review', locale),
							response.reviewStatus !== 'pending'
								? `${t(`documents_review_${response.reviewStatus}`, locale)} · ${moment(response.reviewedAt)} · ${response.reviewedByName ?? ''}${response.reviewComment ? ` — ${response.reviewComment}` : ''}`
								: t('documents_review_pending', locale)
						]
					]
				}
			: { kind: 'paragraph', text: t('documents_no_response', locale) },
		{ kind: 'heading', text: t('documents_heading_evidence', locale) },
		{
			kind: 'table',
			columns: [
				t('documents_col_file', locale),
				t('documents_col_uploaded', locale),
				t('documents_col_file_review', locale)
			],
			widths: [0.45, 0.3, 0.25],
			rows: detail.submissions.flatMap((submission) =>
				submission.files.map((file) => [
					file.originalName,
					`${moment(file.uploadedAt)} · ${file.uploadedByName}`,
					file.review ? t(`documents_file_${file.review.verdict}`, locale) : ''
				])
			),
			empty: t('documents_no_evidence', locale)
		},
		{ kind: 'heading', text: t('documents_heading_verification', locale) },
		{
			kind: 'table',
			columns: [
				t('documents_col_submitted', locale),
				t('documents_col_verdict', locale),
				t('documents_col_comment', locale)
			],
			widths: [0.3, 0.3, 0.4],
			rows: detail.submissions.map((submission) => [
				`${moment(submission.submittedAt)} · ${submission.submittedByName ?? ''}`,
				submission.verdict
					? `${t(`documents_verdict_${submission.verdict}`, locale)} · ${moment(submission.verdictAt)} · ${submission.verdictByName ?? ''}`
					: t('documents_review_pending', locale),
				submission.verdictComment ?? submission.note ?? ''
			]),
			empty: t('documents_no_verification', locale)
		}
	];
	return db.inTenant(scopeOf(actor), (tx) =>
		generate(
			tx,
			{
				kind: 'nonconformity_report',
				subjectId: findingId,
				tenantId: actor.tenantId,
				generatedBy: actor.userId,
				locale,
				origin,
				now
			},
			{
				title: t('documents_nc_title', locale),
				subtitle: `${finding.reference} · ${detail.organisation.name}`,
				blocks
			},
			`${t('documents_nc_file', locale)}-${finding.reference}.pdf`
		)
	);
}

/* "Is this PDF genuine?" */

/** What /verify tells of a genuine document: its public facts, nothing else of its body. */
export interface DocumentFacts {
	kind: DocumentKind;
	code: string;
	bodyName: string;
	/** The certificate's number, the evaluation's or the finding's reference. */
	subject: string;
	generatedAt: Date;
	timeZone: string;
	locale: Locale;
}

/**
 * The document whose bytes are `pdf` or whose printed code is `code`, or null. The lookup runs
 * across bodies through a definer function that answers only the tenant and row; the facts are
 * then read in that tenant's own scope.
 */
export async function verifyDocument(
	db: AppDatabase,
	lookup: { pdf?: Uint8Array; code?: string },
	locale: Locale
): Promise<DocumentFacts | null> {
	const code = lookup.code ? normaliseDocumentCode(lookup.code) : null;
	const sha256 = lookup.pdf ? sha256Of(lookup.pdf) : null;
	if (!code && !sha256) return null;
	const found = await db.asPerson(null, (tx) => repo.findDocumentTenant(tx, { sha256, code }));
	if (!found) return null;
	const facts = await db.inTenant({ tenantId: found.tenant_id, userId: null }, (tx) =>
		repo.findDocumentFacts(tx, found.id)
	);
	if (!facts) return null;
	return {
		kind: facts.kind,
		code: facts.code,
		bodyName: bodyNameOf({ name: facts.body_name, name_en: facts.body_name_en }, locale),
		subject:
			facts.certificate_number ?? facts.finding_reference ?? facts.evaluation_reference ?? '',
		generatedAt: facts.generated_at,
		timeZone: facts.time_zone,
		locale: facts.locale
	};
}
