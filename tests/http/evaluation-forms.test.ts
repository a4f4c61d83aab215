import { translate } from '../../src/lib/server/i18n/translate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createTestDatabase, type TestDatabase } from '../support/databases';
import { signedIn, startDemoApp, type Browserless } from '../support/http';
import type { RunningServer } from '../support/server';
import { AppDatabase } from '../../src/lib/server/db/tenant-scope';
import { loadDemoData } from '../../db/seed/demo';
import en from '../../messages/en.json';
import zh from '../../messages/zh-CN.json';
import enEvaluations from '../../messages/evaluations/en.json';
import zhEvaluations from '../../messages/evaluations/zh-CN.json';
import enFindings from '../../messages/findings/en.json';
import zhFindings from '../../messages/findings/zh-CN.json';

/*
 * The form actions of evaluations/new, evaluations/[id] and certificates/[id]/decide through
 * HTTP, as a browser posts them, on the demo world: the evaluator plans a surveillance of the
 * demo certificate, changes the plan, starts it, records a finding and issues the report; the
 * decision maker maintains the certificate. Refusals: the wrong role, a non-UUID, a body that is
 * no form, a window ending before it starts, and a decision maker who was on the team.
 *
 * The app runs on a PostgreSQL database of this file's own with the demo data, so the test can
 * arrange what no form offers (a team member who later became a decision maker).
 */

const CERTIFICATE = 'DCB-27922-2025-0001';

const MESSAGES: Record<string, [string, string]> = {};
for (const [english, chinese] of [
	[en, zh],
	[enEvaluations, zhEvaluations],
	[enFindings, zhFindings]
] as Record<string, string>[][])
	for (const key of Object.keys(english!)) MESSAGES[key] = [english![key]!, chinese![key]!];

/** The message of `key` in either language (the demo users' language is the body's). */
const messageOf = (key: string) => expect.toBeOneOf(MESSAGES[key]!);

async function query<T>(client: Browserless, path: string, input?: unknown): Promise<T> {
	const search =
		input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify({ json: input }))}`;
	const response = await client.fetch(`/api/trpc/${path}${search}`);
	const body = (await response.json()) as { result: { data: { json: T } } };
	expect(response.status, path).toBe(200);
	return body.result.data.json;
}

describe('evaluation and decision forms through HTTP', () => {
	let t: TestDatabase;
	let server: RunningServer;
	let evaluator: Browserless;
	let decider: Browserless;
	let certificateId: string;
	let evaluatorId: string;
	let evaluationId: string;
	let version = 1;

	beforeAll(async () => {
		t = await createTestDatabase('postgres');
		await loadDemoData(t.owner, new AppDatabase(t.connection));
		server = await startDemoApp({ DATABASE_URL: t.url! });
		evaluator = await signedIn(server, 'evaluator@demo.test');
		decider = await signedIn(server, 'decider@demo.test');
		const choices = await query<{
			certificates: { id: string; number: string }[];
			people: { id: string; email: string }[];
		}>(evaluator, 'evaluations.planningChoices');
		certificateId = choices.certificates.find((c) => c.number === CERTIFICATE)!.id;
		evaluatorId = choices.people.find((p) => p.email === 'evaluator@demo.test')!.id;
	}, 300_000);

	afterAll(async () => {
		await server?.stop();
		await t?.drop();
	});

	const plan = (overrides: Record<string, string | string[]> = {}) => ({
		kind: 'surveillance',
		certificateId,
		windowStart: '2027-06-01',
		windowEnd: '2027-06-02',
		teamIds: [evaluatorId],
		leadId: evaluatorId,
		...overrides
	});

	it('refuses bad plans with a 400 and the message on the field', async () => {
		const backwards = await evaluator.action(
			'/evaluations/new',
			'plan',
			plan({ windowStart: '2027-06-05', windowEnd: '2027-06-01' })
		);
		expect(backwards.status).toBe(400);
		expect(backwards.data?.errors).toEqual({
			windowEnd: messageOf('evaluations_error_window_order')
		});
		// The team chosen comes back with the values.
		expect(backwards.data?.teamIds).toEqual([evaluatorId]);

		const badId = await evaluator.action(
			'/evaluations/new',
			'plan',
			plan({ certificateId: 'not-a-uuid' })
		);
		expect(badId.status).toBe(400);
		expect(badId.data?.errors).toEqual({
			certificateId: messageOf('evaluations_error_certificate_unknown')
		});

		const badDate = await evaluator.action(
			'/evaluations/new',
			'plan',
			plan({ windowStart: '2027-02-30' })
		);
		expect(badDate.status).toBe(400);
		expect(badDate.data?.errors).toEqual({
			windowStart: messageOf('evaluations_error_date_invalid')
		});

		const noForm = await evaluator.action('/evaluations/new', 'plan', 'kind=surveillance', {
			contentType: 'text/plain'
		});
		expect(noForm.status).toBe(400);
		expect(noForm.data?.errors).toEqual({ _: messageOf('error_form_unreadable') });
	});

	it('refuses a plan from a decision maker (403)', async () => {
		const answer = await decider.action('/evaluations/new', 'plan', plan());
		expect(answer.status).toBe(403);
	});

	it('plans an evaluation of the demo certificate and goes to its page', async () => {
		const answer = await evaluator.action('/evaluations/new', 'plan', plan());
		expect(answer.status).toBe(303);
		expect(answer.location).toMatch(/^\/evaluations\/[0-9a-f-]{36}$/);
		evaluationId = answer.location!.split('/').pop()!;
		expect((await evaluator.fetch(`/evaluations/${evaluationId}`)).status).toBe(200);
	});

	it('changes the plan, refusing a window that ends before it starts', async () => {
		const path = `/evaluations/${evaluationId}`;
		const backwards = await evaluator.action(path, 'updatePlan', {
			version: String(version),
			windowStart: '2027-06-10',
			windowEnd: '2027-06-09',
			teamIds: [evaluatorId],
			leadId: evaluatorId
		});
		expect(backwards.status).toBe(400);
		expect(backwards.data).toMatchObject({
			form: 'updatePlan',
			errors: { windowEnd: messageOf('evaluations_error_window_order') }
		});

		const saved = await evaluator.action(path, 'updatePlan', {
			version: String(version),
			windowStart: '2027-06-08',
			windowEnd: '2027-06-09',
			teamIds: [evaluatorId],
			leadId: evaluatorId
		});
		expect(saved).toMatchObject({ status: 200, data: { form: 'updatePlan', saved: true } });
		version += 1;

		const stale = await evaluator.action(path, 'updatePlan', {
			version: '1',
			windowStart: '2027-06-08',
			windowEnd: '2027-06-09',
			teamIds: [evaluatorId],
			leadId: evaluatorId
		});
		expect(stale.status).toBe(409);
		expect(stale.data?.stale).toBe(true);
	});

	it('starts the evaluation, records a finding and issues the report', async () => {
		const path = `/evaluations/${evaluationId}`;
		const started = await evaluator.action(path, 'step', {
			action: 'start',
			version: String(version)
		});
		expect(started).toMatchObject({ status: 200, data: { form: 'step', done: 'start' } });
		version += 1;

		const unnamed = await evaluator.action(path, 'step', {
			action: 'jump',
			version: String(version)
		});
		expect(unnamed.status).toBe(400);

		const incomplete = await evaluator.action(path, 'record', {
			kind: 'nonconformity',
			grade: '',
			statement: '记录不全',
			objectiveEvidence: ''
		});
		expect(incomplete.status).toBe(400);
		expect(incomplete.data).toMatchObject({
			form: 'record',
			errors: { grade: messageOf('evaluations_error_grade_required') }
		});

		const recorded = await evaluator.action(path, 'record', {
			kind: 'observation',
			grade: '',
			clauseId: '',
			statement: '维修记录的签字栏有两处空白。',
			objectiveEvidence: '抽查 2027 年 5 月维修单 12 份。'
		});
		expect(recorded.status).toBe(200);
		expect(recorded.data).toMatchObject({ form: 'record', recorded: expect.any(String) });

		const issued = await evaluator.action(path, 'step', {
			action: 'issue_report',
			version: String(version)
		});
		expect(issued).toMatchObject({ status: 200, data: { form: 'step', done: 'issue_report' } });
		version += 1;

		const decidersStep = await decider.action(path, 'step', {
			action: 'close',
			version: String(version)
		});
		expect(decidersStep.status).toBe(403);
	});

	it('answers a non-UUID evaluation or certificate with 404', async () => {
		expect((await evaluator.fetch('/evaluations/not-a-uuid')).status).toBe(404);
		const step = await evaluator.action('/evaluations/not-a-uuid', 'step', {
			action: 'start',
			version: '1'
		});
		expect(step.status).toBe(404);
		expect((await decider.fetch('/certificates/not-a-uuid/decide')).status).toBe(404);
	});

	it('refuses a decision from a decision maker who was on the team (403), also without an evaluation', async () => {
		// The evaluator, on the team of the new evaluation, later becomes a decision maker.
		await sql`update memberships set role = 'decision_maker'
			where user_id = ${evaluatorId}`.execute(t.owner);
		try {
			const options = await query<{ certificate: { version: number } }>(
				evaluator,
				'decisions.options',
				{ certificateId }
			);
			const path = `/certificates/${certificateId}/decide`;
			const followed = await evaluator.action(path, 'decide', {
				version: String(options.certificate.version),
				evaluationId,
				kind: 'maintain',
				reason: '监督评价结论：持续满足认证要求。'
			});
			expect(followed.status).toBe(403);
			expect(followed.data?.errors).toEqual({
				_: messageOf('findings_decision_refused_team_member')
			});

			// A suspension follows no evaluation: the certificate's most recent one's team counts.
			const suspension = await evaluator.action(path, 'decide', {
				version: String(options.certificate.version),
				evaluationId: '',
				kind: 'suspend',
				reason: '严重不符合逾期未整改。'
			});
			expect(suspension.status).toBe(403);
			expect(suspension.data?.errors).toEqual({
				_: messageOf('findings_decision_refused_team_member')
			});
		} finally {
			await sql`update memberships set role = 'evaluator'
				where user_id = ${evaluatorId}`.execute(t.owner);
		}
	});

	it('lets the decision maker maintain the certificate after the evaluation', async () => {
		const options = await query<{ certificate: { version: number } }>(
			decider,
			'decisions.options',
			{ certificateId }
		);
		const path = `/certificates/${certificateId}/decide`;
		const noReason = await decider.action(path, 'decide', {
			version: String(options.certificate.version),
			evaluationId,
			kind: 'maintain',
			reason: '  '
		});
		expect(noReason.status).toBe(400);
		expect(noReason.data?.errors).toEqual({ reason: messageOf('error_required') });

		const planner = await decider.action(path, 'decide', {
			version: String(options.certificate.version),
			evaluationId: 'not-a-uuid',
			kind: 'maintain',
			reason: '监督评价结论：持续满足认证要求。'
		});
		expect(planner.status).toBe(400);
		expect(planner.data?.errors).toEqual({
			evaluationId: messageOf('findings_decision_evaluation_invalid')
		});

		const maintained = await decider.action(path, 'decide', {
			version: String(options.certificate.version),
			evaluationId,
			kind: 'maintain',
			reason: '监督评价结论：持续满足认证要求。'
		});
		expect(maintained).toMatchObject({
			status: 303,
			location: `/certificates/${certificateId}?saved=decided`
		});
		// The result is said, the decision is listed (maintain changes nothing else), and the
		// evaluation it followed now reads closed.
		const after = await (
			await decider.fetch(`/certificates/${certificateId}?saved=decided`)
		).text();
		expect(after).toContain('data-testid="decision-taken"');
		expect(after).toContain('data-testid="certificate-decisions"');
		expect(after).toContain('监督评价结论：持续满足认证要求。');
		const evaluationPage = await (await evaluator.fetch(`/evaluations/${evaluationId}`)).text();
		expect(evaluationPage).toContain('data-testid="evaluation-decision"');
		expect(evaluationPage).toMatch(
			new RegExp(
				`data-testid="evaluation-status"[^>]*>\\s*${translate('evaluations_status_closed', 'zh-CN')}`
			)
		);

		const evaluatorDecides = await evaluator.action(path, 'decide', {
			version: String(options.certificate.version + 1),
			evaluationId,
			kind: 'maintain',
			reason: 'Fine.'
		});
		expect(evaluatorDecides.status).toBe(403);
	});
});
