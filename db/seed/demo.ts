import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema';
import type { AppDatabase } from '../../src/lib/server/db/tenant-scope';
import type { Actor } from '../../src/lib/server/actor';
import { hashPassword } from '../../src/lib/server/auth/password';
import { addDays, addMonths, todayInZone } from '../../src/lib/server/domain/calendar';
import { DEFAULT_SCHEME_RULES } from '../../src/lib/server/domain/scheme-rules';
import { recordAudit } from '../../src/lib/server/repositories/audit';
import { findUserByEmail, insertUser } from '../../src/lib/server/repositories/users';
import { insertMembership } from '../../src/lib/server/repositories/memberships';
import { resolveActor } from '../../src/lib/server/services/sessions';
import { createStandard } from '../../src/lib/server/services/standards';
import { addClause } from '../../src/lib/server/services/clauses';
import { createGradeScale } from '../../src/lib/server/services/grade-scales';
import { updateSchemeRules } from '../../src/lib/server/services/scheme-rules';
import { addContact, createOrganisation } from '../../src/lib/server/services/organisations';
import { addMember, answerMyInvitation } from '../../src/lib/server/services/members';
import { createCertificate } from '../../src/lib/server/services/certificates';
import { fileComplaint } from '../../src/lib/server/services/complaints';
import {
	issueEvaluationReport,
	planEvaluation,
	startEvaluation
} from '../../src/lib/server/services/evaluations';
import { raiseFinding } from '../../src/lib/server/services/findings';
import {
	approveObjective,
	createCommitment,
	createObjective,
	createOutlet,
	recordMeasurement
} from '../../src/lib/server/services/service-system';
import { measurementPeriodOf } from '../../src/lib/server/domain/service-system';
import {
	getScoringSheet,
	recordScores,
	updateScoringSheet
} from '../../src/lib/server/services/scoring';
import {
	reviewResponse,
	submitEvidence,
	submitResponse
} from '../../src/lib/server/services/finding-workflow';
import {
	DEMO_CERTIFICATES,
	DEMO_COMPLAINT,
	DEMO_MEMBERS,
	DEMO_ORGANISATIONS,
	DEMO_PASSWORD,
	DEMO_SET_UP_DAY,
	DEMO_TENANT,
	DEMO_TIME_ZONE,
	DEMO_UTC_OFFSET,
	GRADED_STANDARD,
	MAJOR_CAP,
	OTHER_CERTIFICATE,
	OTHER_MEMBERS,
	OTHER_ORGANISATION,
	OTHER_SET_UP_DAY,
	OTHER_STANDARD,
	OTHER_TENANT,
	PEOPLE,
	RECURRING_OBLIGATIONS,
	SERVICE_SYSTEM,
	SPECIAL_EVALUATION,
	SPECIAL_NONCONFORMITIES,
	STANDARDS,
	STAR_SCALE,
	SURVEILLANCE,
	SURVEILLANCE_NONCONFORMITIES,
	SURVEILLANCE_SCORES,
	SCORING_SHEET,
	type CertificateSeed,
	type OrganisationSeed,
	type PersonSeed,
	type StandardSeed,
	type TenantSeed
} from './demo-data';

/*
 * Loads the demo (db/seed/demo-data.ts) the way its people would have entered it: through the
 * application's services, each step as the person who takes it, so every rule applies (due dates
 * and expiries from the scheme rules, references 2026-S1-NC-1 …, the life cycle of each finding)
 * and every change has its audit entry. Only what no service does is done here directly:
 * creating the two bodies with their first administrators (nobody could add them), and the
 * recurring obligations of the seed's records calendar (no use case writes them yet).
 *
 * It is one story, told in order (issue 10 §12): each step is taken at its own moment, counted
 * from the load day and passed to the service as its `now`, so rows, dates and audit entries
 * agree — set-up, certificates, a plan before its window, the start on the window's first day,
 * findings, the report, then the organisation's answers, the reviews and the evidence. The
 * audit chain keeps a given time only in order (migration 2026-12-03-02), so the steps below
 * must stay in time order too.
 */

export { DEMO_PASSWORD };

const DAY_MS = 86_400_000;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function isDatabaseEmpty(owner: Kysely<any>): Promise<boolean> {
	const row = await sql<{ n: string }>`select count(*)::text as n from tenants`.execute(owner);
	return row.rows[0]?.n === '0';
}

/**
 * Moments of the story, one a minute from `start` on: set-up steps come one after the other,
 * in order, without each needing a time of its own.
 */
function minutesFrom(start: Date) {
	let next = start.getTime();
	return () => {
		const moment = new Date(next);
		next += 60_000;
		return moment;
	};
}

/** Someone who acts in a tenant, as a request of theirs would resolve them. */
async function actorOf(db: AppDatabase, tenantId: string, userId: string, person: PersonSeed) {
	const actor = await resolveActor(db, {
		sessionId: 'demo-loader',
		userId,
		email: person.email,
		name: person.name,
		locale: null,
		expiresAt: new Date(Date.now() + DAY_MS),
		tenantId
	});
	if (!actor) throw new Error(`${person.email} has no membership in the tenant`);
	return actor;
}

/**
 * A body and its first administrator: the one thing no service does, since nobody is there yet
 * to do it. The tenant row needs the owner connection; the identity and membership go through
 * the tenant scope with the system as actor, audited as the membership service would.
 */
async function bootstrapTenant(
	owner: Kysely<Database>,
	db: AppDatabase,
	tenant: TenantSeed,
	admin: PersonSeed,
	passwordHash: string,
	at: Date
): Promise<Actor> {
	const row = await owner
		.insertInto('tenants')
		.values({
			slug: tenant.slug,
			name: tenant.name,
			default_locale: tenant.locale,
			certificate_number_pattern: tenant.certificateNumberPattern,
			created_at: at
		})
		.returning('id')
		.executeTakeFirstOrThrow();
	const tenantId = row.id;
	const userId = await db.inTenant({ tenantId, userId: null }, async (tx) => {
		let user = await findUserByEmail(tx, admin.email);
		if (!user) {
			user = await insertUser(tx, {
				email: admin.email,
				name: admin.name,
				passwordHash,
				createdAt: at
			});
			await recordAudit(tx, {
				tenantId,
				actorUserId: null,
				action: 'person.create',
				entityType: 'user',
				entityId: user.id,
				after: { email: user.email, name: user.name },
				at
			});
		}
		const membership = await insertMembership(tx, {
			tenantId,
			userId: user.id,
			role: 'admin',
			organisationId: null,
			createdAt: at
		});
		await recordAudit(tx, {
			tenantId,
			actorUserId: null,
			action: 'membership.grant',
			entityType: 'membership',
			entityId: membership.id,
			after: { userId: user.id, email: user.email, role: 'admin', organisationId: null },
			at
		});
		return user.id;
	});
	return actorOf(db, tenantId, userId, admin);
}

const personByEmail = new Map<string, PersonSeed>(
	Object.values(PEOPLE).map((person) => [person.email, person])
);

/** A catalogue standard with its scheme rules (the defaults, saved) and its clause tree. */
async function addStandard(
	db: AppDatabase,
	admin: Actor,
	standard: StandardSeed,
	gradeScaleId: string | null,
	clauses: Map<string, string>,
	next: () => Date
) {
	const row = await createStandard(
		db,
		admin,
		{
			code: standard.code,
			titleZh: standard.titleZh,
			titleEn: standard.titleEn,
			category: standard.category,
			categoryEn: standard.categoryEn,
			gradeScaleId
		},
		next()
	);
	await updateSchemeRules(db, admin, row.id, 0, DEFAULT_SCHEME_RULES, next());
	// Parents come first in the data, as addClause requires.
	for (const [number, titleZh, titleEn] of standard.clauses ?? []) {
		const clause = await addClause(db, admin, row.id, { number, titleZh, titleEn }, next());
		clauses.set(`${standard.code}#${number}`, clause.id);
	}
	return row.id;
}

async function addOrganisation(
	db: AppDatabase,
	admin: Actor,
	organisation: OrganisationSeed,
	next: () => Date
) {
	const row = await createOrganisation(
		db,
		admin,
		{
			legalName: organisation.legalName,
			uscc: organisation.uscc,
			address: organisation.address
		},
		next()
	);
	for (const contact of organisation.contacts ?? [])
		await addContact(db, admin, row.id, { ...contact, receivesReminders: true }, next());
	return row.id;
}

async function addMembers(
	db: AppDatabase,
	admin: Actor,
	members: { email: string; role: Actor['role']; organisation?: string }[],
	organisations: Map<string, string>,
	next: () => Date
) {
	const actors = new Map<string, Actor>();
	for (const member of members) {
		const person = personByEmail.get(member.email)!;
		const added = await addMember(
			db,
			admin,
			{
				email: person.email,
				name: person.name,
				password: DEMO_PASSWORD,
				role: member.role,
				organisationId: member.organisation ? organisations.get(member.organisation)! : null
			},
			next()
		);
		// The demo people accept their invitations at once (issue 8 §16: nobody is attached unasked).
		await answerMyInvitation(db, added.userId!, added.invitationId, 'accepted', next());
		actors.set(member.email, await actorOf(db, admin.tenantId, added.userId!, person));
	}
	return actors;
}

export async function loadDemoData(
	owner: Kysely<Database>,
	db: AppDatabase,
	today = new Date()
): Promise<void> {
	const todayIso = todayInZone(today, DEMO_TIME_ZONE);
	const day = (offset: number) => addDays(todayIso, offset);
	/** A moment of the story: day `offset` from the load day, at `time` in the bodies' zone. */
	const at = (offset: number, time: string) =>
		new Date(`${day(offset)}T${time}:00${DEMO_UTC_OFFSET}`);
	const passwordHash = await hashPassword(DEMO_PASSWORD);

	const issue = (
		actor: Actor,
		certificate: CertificateSeed,
		ids: {
			organisations: Map<string, string>;
			standards: Map<string, string>;
			grades: Map<string, string>;
		}
	) =>
		createCertificate(
			db,
			actor,
			{
				number: certificate.number,
				organisationId: ids.organisations.get(certificate.organisation)!,
				standardId: ids.standards.get(certificate.standard)!,
				scope: certificate.scope,
				gradeLevelId: certificate.grade ? ids.grades.get(certificate.grade)! : null,
				issuedOn: day(certificate.issuedDay),
				decidedOn: day(certificate.issuedDay)
			},
			// Recorded the morning it was issued.
			at(certificate.issuedDay, '10:00')
		);

	// ── The demo body: set up a year ago, a minute a step ──
	const setUp = minutesFrom(at(DEMO_SET_UP_DAY, '09:00'));
	const admin = await bootstrapTenant(owner, db, DEMO_TENANT, PEOPLE.admin, passwordHash, setUp());
	const scale = await createGradeScale(db, admin, STAR_SCALE, setUp());
	const grades = new Map(scale.levels.map((level) => [level.code, level.id]));
	const standards = new Map<string, string>();
	const clauses = new Map<string, string>();
	for (const standard of STANDARDS)
		standards.set(
			standard.code,
			await addStandard(
				db,
				admin,
				standard,
				standard.code === GRADED_STANDARD ? scale.id : null,
				clauses,
				setUp
			)
		);

	// GB/T 27922's scoring sheet and the cap a major nonconformity puts on its grade.
	const scored = standards.get(SCORING_SHEET.standard)!;
	const sheet = await getScoringSheet(db, admin, scored);
	await updateScoringSheet(
		db,
		admin,
		{
			standardId: scored,
			version: sheet.standard.version,
			points: sheet.clauses.map((clause) => ({
				clauseId: clause.id,
				points: SCORING_SHEET.points[clause.number] ?? null
			})),
			capLevelId: grades.get(MAJOR_CAP.level) ?? null,
			capCounts: MAJOR_CAP.counts
		},
		setUp()
	);

	const organisations = new Map<string, string>();
	for (const organisation of DEMO_ORGANISATIONS)
		organisations.set(
			organisation.legalName,
			await addOrganisation(db, admin, organisation, setUp)
		);

	const members = await addMembers(db, admin, DEMO_MEMBERS, organisations, setUp);
	const evaluator = members.get(PEOPLE.evaluator.email)!;
	const org = members.get(PEOPLE.org.email)!;

	// The organisation documents its service system before its first certification (issue 12 item 5).
	const serviceAt = minutesFrom(at(SERVICE_SYSTEM.setUpDay, '10:00'));
	const commitmentIds = new Map<string, string>();
	for (const commitment of SERVICE_SYSTEM.commitments) {
		const created = await createCommitment(
			db,
			org,
			{
				organisationId: org.organisationId!,
				kind: commitment.kind,
				textZh: commitment.textZh,
				textEn: commitment.textEn,
				limitValue: commitment.limit?.[0] ?? null,
				limitUnit: commitment.limit?.[1] ?? null
			},
			serviceAt()
		);
		commitmentIds.set(commitment.textZh, created.id);
	}
	const objectives: { id: string; seed: (typeof SERVICE_SYSTEM.objectives)[number] }[] = [];
	for (const seed of SERVICE_SYSTEM.objectives) {
		const created = await createObjective(
			db,
			org,
			{
				organisationId: org.organisationId!,
				titleZh: seed.titleZh,
				titleEn: seed.titleEn,
				metricZh: seed.metricZh,
				metricEn: seed.metricEn,
				targetValue: seed.targetValue,
				unit: seed.unit,
				direction: seed.direction,
				owner: seed.owner,
				period: seed.period
			},
			serviceAt()
		);
		await approveObjective(db, org, { objectiveId: created.id, version: 1 }, serviceAt());
		objectives.push({ id: created.id, seed });
	}
	for (const outlet of SERVICE_SYSTEM.outlets)
		await createOutlet(
			db,
			org,
			{ organisationId: org.organisationId!, ...outlet, scope: [...outlet.scope] },
			serviceAt()
		);
	/**
	 * Records, at `moment`, each objective's measurements of the periods `periodsBack` before the
	 * load day's period for which `take` holds: counted in periods (not days), so each is a whole
	 * month, quarter or year, and the template's move counts them again the same way.
	 */
	async function measure(moment: () => Date, take: (periodsBack: number) => boolean) {
		for (const { id, seed } of objectives)
			for (const [periodsBack, value] of seed.measurements) {
				if (!take(periodsBack)) continue;
				const months = { monthly: 1, quarterly: 3, yearly: 12 }[seed.period];
				const current = measurementPeriodOf(seed.period, todayIso).start;
				await recordMeasurement(
					db,
					org,
					{
						objectiveId: id,
						periodDay: addMonths(current, -periodsBack * months),
						value,
						note: ''
					},
					moment()
				);
			}
	}

	const certificates = new Map<string, { id: string; organisationId: string }>();
	for (const seed of DEMO_CERTIFICATES) {
		const certificate = await issue(admin, seed, { organisations, standards, grades });
		certificates.set(seed.number, {
			id: certificate.id,
			organisationId: certificate.organisation_id
		});
	}
	const clauseOf = (number: string) => clauses.get(`${GRADED_STANDARD}#${number}`) ?? null;

	/**
	 * 李华 plans an evaluation on `plannedDay`, starts it the morning its window opens, raises its
	 * findings on `raisedDay` (a quarter of an hour apart) and issues the report on `reportDay`.
	 */
	async function holdEvaluation(
		kind: 'surveillance' | 'special',
		plan: {
			certificate: string;
			plannedDay: number;
			windowStartDay: number;
			windowEndDay: number;
			raisedDay: number;
			reportDay: number;
		},
		findings: {
			clause: string;
			grade: 'major' | 'minor';
			statement: string;
			evidence: string;
			commitment?: string;
		}[],
		/** The team's score per clause group, given after the findings the same afternoon. */
		scores: Record<string, number> = {}
	) {
		const planned = await planEvaluation(
			db,
			evaluator,
			{
				kind,
				certificateId: certificates.get(plan.certificate)!.id,
				windowStart: day(plan.windowStartDay),
				windowEnd: day(plan.windowEndDay),
				teamIds: [evaluator.userId],
				leadId: evaluator.userId
			},
			at(plan.plannedDay, '16:00')
		);
		const started = await startEvaluation(
			db,
			evaluator,
			planned.id,
			planned.version,
			at(plan.windowStartDay, '09:00')
		);
		const raisedAt = minutesFrom(at(plan.raisedDay, '14:00'));
		const raised = [];
		for (const finding of findings)
			raised.push(
				await raiseFinding(
					db,
					evaluator,
					planned.id,
					{
						kind: 'nonconformity',
						grade: finding.grade,
						clauseId: clauseOf(finding.clause),
						statement: finding.statement,
						objectiveEvidence: finding.evidence,
						commitmentId: finding.commitment ? commitmentIds.get(finding.commitment)! : null
					},
					raisedAt()
				)
			);
		if (Object.keys(scores).length > 0)
			await recordScores(
				db,
				evaluator,
				{
					evaluationId: planned.id,
					scores: Object.entries(scores).map(([number, score]) => ({
						clauseId: clauseOf(number)!,
						score,
						previous: null
					}))
				},
				raisedAt()
			);
		await issueEvaluationReport(
			db,
			evaluator,
			planned.id,
			started.version,
			at(plan.reportDay, '10:00')
		);
		return raised;
	}

	// The objectives' earlier periods, recorded before the special evaluation.
	await measure(minutesFrom(at(SERVICE_SYSTEM.firstBatchDay, '10:00')), (back) => back >= 4);

	// The special evaluation after a complaint: both nonconformities still open.
	await holdEvaluation('special', SPECIAL_EVALUATION, SPECIAL_NONCONFORMITIES);

	// The seed's surveillance: four nonconformities and the corrective actions answering them.
	const raised = await holdEvaluation(
		'surveillance',
		SURVEILLANCE,
		SURVEILLANCE_NONCONFORMITIES,
		SURVEILLANCE_SCORES
	);
	// Each kind of step on its own day, for every finding that gets that far, in time order.
	const versions = new Map(raised.map((finding) => [finding.id, finding.version]));
	const answeredAt = minutesFrom(at(SURVEILLANCE.respondedDay, '10:00'));
	for (const [index, nc] of SURVEILLANCE_NONCONFORMITIES.entries()) {
		const finding = raised[index]!;
		const step = await submitResponse(
			db,
			org,
			{
				findingId: finding.id,
				version: versions.get(finding.id)!,
				correction: nc.correction,
				rootCause: nc.rootCause,
				correctiveAction: nc.correctiveAction,
				owner: nc.owner,
				targetOn: addDays(finding.raised_on, nc.targetAfterDays)
			},
			answeredAt()
		);
		versions.set(finding.id, step.version);
	}
	const reviewedAt = minutesFrom(at(SURVEILLANCE.reviewedDay, '15:00'));
	for (const [index, nc] of SURVEILLANCE_NONCONFORMITIES.entries()) {
		if (nc.status === 'response_submitted') continue;
		const finding = raised[index]!;
		const step = await reviewResponse(
			db,
			evaluator,
			{
				findingId: finding.id,
				version: versions.get(finding.id)!,
				comment: SURVEILLANCE.reviewComment,
				verdict: 'accept'
			},
			reviewedAt()
		);
		versions.set(finding.id, step.version);
	}
	const evidenceAt = minutesFrom(at(SURVEILLANCE.evidenceDay, '11:00'));
	for (const [index, nc] of SURVEILLANCE_NONCONFORMITIES.entries()) {
		if (nc.status !== 'evidence_submitted') continue;
		const finding = raised[index]!;
		await submitEvidence(
			db,
			org,
			{
				findingId: finding.id,
				version: versions.get(finding.id)!,
				note: SURVEILLANCE.evidenceNote
			},
			evidenceAt()
		);
	}

	// The objectives' recent periods, recorded yesterday.
	await measure(minutesFrom(at(SERVICE_SYSTEM.secondBatchDay, '10:00')), (back) => back < 4);

	// No use case writes recurring obligations yet: the seed's records calendar goes in directly.
	const certified = certificates.get(DEMO_CERTIFICATES[0]!.number)!;
	await db.inTenant({ tenantId: admin.tenantId, userId: admin.userId }, async (tx) => {
		for (const obligation of RECURRING_OBLIGATIONS)
			await tx
				.insertInto('recurring_obligations')
				.values({
					tenant_id: admin.tenantId,
					organisation_id: certified.organisationId,
					certificate_id: certified.id,
					title_zh: obligation.titleZh,
					title_en: obligation.titleEn,
					cadence: obligation.cadence,
					due_day: obligation.dueDay,
					starts_on: day(DEMO_CERTIFICATES[0]!.issuedDay),
					created_at: at(DEMO_CERTIFICATES[0]!.issuedDay, '11:00')
				})
				.execute();
	});

	// A visitor's complaint on the five-star certificate's public page, not yet acknowledged.
	await fileComplaint(
		db,
		DEMO_TENANT.slug,
		{
			name: DEMO_COMPLAINT.name,
			email: DEMO_COMPLAINT.email,
			phone: DEMO_COMPLAINT.phone,
			certificateNumber: DEMO_COMPLAINT.certificate,
			body: DEMO_COMPLAINT.body,
			website: ''
		},
		'zh-CN',
		{ at: at(DEMO_COMPLAINT.filedDay, '19:30'), reference: DEMO_COMPLAINT.reference }
	);

	// ── The other body: set up later, its member added the day its certificate was issued ──
	const otherSetUp = minutesFrom(at(OTHER_SET_UP_DAY, '09:00'));
	const otherAdmin = await bootstrapTenant(
		owner,
		db,
		OTHER_TENANT,
		PEOPLE.otherAdmin,
		passwordHash,
		otherSetUp()
	);
	const otherStandards = new Map([
		[
			OTHER_STANDARD.code,
			await addStandard(db, otherAdmin, OTHER_STANDARD, null, new Map(), otherSetUp)
		]
	]);
	const otherOrganisations = new Map([
		[
			OTHER_ORGANISATION.legalName,
			await addOrganisation(db, otherAdmin, OTHER_ORGANISATION, otherSetUp)
		]
	]);
	await issue(otherAdmin, OTHER_CERTIFICATE, {
		organisations: otherOrganisations,
		standards: otherStandards,
		grades: new Map()
	});
	await addMembers(
		db,
		otherAdmin,
		OTHER_MEMBERS,
		otherOrganisations,
		minutesFrom(at(OTHER_CERTIFICATE.issuedDay, '14:00'))
	);
}
