import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRPCError } from '@trpc/server';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases';
import { callerFor, newActor, newOrganisation, newTenant, testApp } from '../support/factories';
import {
	auditOf,
	json,
	newEvaluation,
	newEvidenceFile,
	newFinding,
	newWorkflowWorld,
	type WorkflowWorld
} from '../support/workflow-factories';
import { handleTrpcRequest } from '../../src/lib/server/trpc/handler';
import { Refusal } from '../../src/lib/server/errors';
import { translate } from '../../src/lib/server/i18n/translate';
import { todayInZone, addDays } from '../../src/lib/server/domain/calendar';
import type { Actor } from '../../src/lib/server/actor';
import type { App } from '../../src/lib/server/app';
import type { Locale } from '../../db/schema';

/*
 * The nonconformity life cycle through tRPC (workflow router), on PostgreSQL and PGlite: the whole
 * happy path with an audit entry per step, and every refusal — wrong side (FORBIDDEN), another
 * organisation or tenant (NOT_FOUND), wrong status (CONFLICT with the reason in words), stale
 * version (CONFLICT "reload"), bad input (BAD_REQUEST on the field) — writing nothing.
 */

interface Refused {
	code: string;
	key?: string;
	field?: string;
	message: string;
}

/** The refusal a call ends in: its tRPC code, and the message key and field the service gave. */
async function refusalOf(call: Promise<unknown>, locale: Locale = 'en'): Promise<Refused> {
	try {
		await call;
	} catch (error) {
		if (!(error instanceof TRPCError)) throw error;
		const cause = error.cause;
		return cause instanceof Refusal
			? {
					code: error.code,
					key: cause.messageKey,
					field: cause.field,
					message: translate(cause.messageKey, locale, cause.params)
				}
			: { code: error.code, message: error.message };
	}
	throw new Error('expected the call to be refused');
}

describe.each(DIALECTS)('finding workflow (%s)', (kind) => {
	let t: TestDatabase;
	let app: App;
	let world: WorkflowWorld;
	let stranger: Actor;

	/** A same-origin JSON mutation through the HTTP handler, for messages as the browser sees them. */
	async function post(path: string, input: unknown, actor: Actor, locale: Locale = 'en') {
		const response = await handleTrpcRequest(
			new Request(`http://localhost/api/trpc/${path}`, {
				method: 'POST',
				headers: { 'content-type': 'application/json', origin: 'http://localhost' },
				body: JSON.stringify({ json: input })
			}),
			{
				app,
				locale,
				actor,
				person: {
					sessionId: 'test-session',
					userId: actor.userId,
					email: actor.email,
					name: actor.name,
					locale: null,
					expiresAt: new Date(Date.now() + 86_400_000),
					tenantId: actor.tenantId
				}
			}
		);
		const body = (await response.json()) as {
			error: { json: { message: string; data: { code: string; fields?: Record<string, string> } } };
		};
		return { status: response.status, error: body.error.json };
	}

	async function findingRow(id: string) {
		return t.owner
			.selectFrom('findings')
			.selectAll()
			.where('id', '=', id)
			.executeTakeFirstOrThrow();
	}

	/** Everything a refused step might have written, to compare before and after. */
	async function footprint(findingId: string) {
		const count = async (table: 'responses' | 'evidence_submissions') =>
			Number(
				(
					await t.owner
						.selectFrom(table)
						.select((eb) => eb.fn.countAll<string>().as('n'))
						.where('finding_id', '=', findingId)
						.executeTakeFirstOrThrow()
				).n
			);
		const finding = await findingRow(findingId);
		const responses = await t.owner
			.selectFrom('responses')
			.select(['review_status', 'review_comment'])
			.where('finding_id', '=', findingId)
			.execute();
		return {
			status: finding.status,
			version: finding.version,
			followUp: finding.follow_up_check_on,
			responses: await count('responses'),
			reviews: responses,
			submissions: await count('evidence_submissions'),
			audit: (await auditOf(t, findingId)).length
		};
	}

	const response = (
		findingId: string,
		version: number,
		overrides: Record<string, string> = {}
	) => ({
		findingId,
		version,
		correction: '已对 3 份超时工单逐一回访并致歉。',
		rootCause: '派工规则未考虑偏远地区的路程时间。',
		correctiveAction: '修订派工规则，按距离分区派工，并培训全部调度员。',
		owner: '服务部 王经理',
		targetOn: '2026-11-30',
		...overrides
	});

	beforeAll(async () => {
		t = await createTestDatabase(kind);
		app = testApp(t);
		world = await newWorkflowWorld(t);
		const otherTenant = await newTenant(t);
		stranger = await newActor(t, otherTenant.id, 'admin');
	});

	afterAll(async () => {
		await t?.drop();
	});

	it('runs the whole life cycle, both sides, with an audit entry for every step', async () => {
		const finding = await newFinding(t, world, { reference: 'NC-HAPPY' });
		const org = callerFor(app, world.orgUser);
		const evaluator = callerFor(app, world.evaluator);

		let step = await org.workflow.submitResponse(response(finding.id, finding.version));
		expect(step).toMatchObject({ status: 'response_submitted', version: finding.version + 1 });

		step = await evaluator.workflow.reviewResponse({
			findingId: finding.id,
			version: step.version,
			verdict: 'reject',
			comment: '原因分析不充分：请说明为何调度员未发现超时。'
		});
		expect(step.status).toBe('open');

		// The organisation sees why, above the form that answers it.
		const rejected = await org.workflow.detail({ id: finding.id });
		expect(rejected.actions).toEqual(['submit_response']);
		expect(rejected.waitingFor).toBe('organisation');
		expect(rejected.lastRejection).toMatchObject({
			kind: 'response',
			comment: '原因分析不充分：请说明为何调度员未发现超时。',
			byName: world.evaluator.name
		});
		// Each side reads the rejection as its own: "yours was sent back" only for the organisation.
		expect(rejected.viewerSide).toBe('organisation');
		const asReviewer = await evaluator.workflow.detail({ id: finding.id });
		expect(asReviewer.viewerSide).toBe('body');
		expect(asReviewer.lastRejection).toMatchObject({ kind: 'response' });

		step = await org.workflow.submitResponse(
			response(finding.id, step.version, { rootCause: '调度系统没有超时提醒，调度员无从发现。' })
		);
		expect(step.status).toBe('response_submitted');
		step = await evaluator.workflow.reviewResponse({
			findingId: finding.id,
			version: step.version,
			verdict: 'accept',
			comment: ''
		});
		expect(step.status).toBe('action_in_progress');

		const first = await newEvidenceFile(t, world, finding.id, world.orgUser.userId, 'rules-v1.pdf');
		step = await org.workflow.submitEvidence({
			findingId: finding.id,
			version: step.version,
			note: '附修订后的派工规则。'
		});
		expect(step.status).toBe('evidence_submitted');

		step = await evaluator.workflow.reviewEvidence({
			findingId: finding.id,
			version: step.version,
			verdict: 'reject_evidence',
			comment: '规则未经批准发布，请提供发布记录。'
		});
		expect(step.status).toBe('action_in_progress');
		const afterRejection = await org.workflow.detail({ id: finding.id });
		expect(afterRejection.lastRejection).toMatchObject({
			kind: 'evidence',
			comment: '规则未经批准发布，请提供发布记录。'
		});

		const second = await newEvidenceFile(t, world, finding.id, world.orgUser.userId, 'issued.pdf');
		step = await org.workflow.submitEvidence({
			findingId: finding.id,
			version: step.version,
			note: ''
		});
		expect(step.status).toBe('evidence_submitted');
		step = await evaluator.workflow.reviewEvidence({
			findingId: finding.id,
			version: step.version,
			verdict: 'verify_effective',
			comment: '抽查 11 月工单，均在时限内。'
		});
		expect(step.status).toBe('closed');

		const closed = await findingRow(finding.id);
		expect(closed.status).toBe('closed');
		expect(closed.closed_at).not.toBeNull();
		expect(closed.version).toBe(finding.version + 8);

		const responses = await t.owner
			.selectFrom('responses')
			.select(['review_status', 'review_comment', 'reviewed_by', 'root_cause'])
			.where('finding_id', '=', finding.id)
			.orderBy('submitted_at')
			.execute();
		expect(responses).toEqual([
			{
				review_status: 'rejected',
				review_comment: '原因分析不充分：请说明为何调度员未发现超时。',
				reviewed_by: world.evaluator.userId,
				root_cause: '派工规则未考虑偏远地区的路程时间。'
			},
			{
				review_status: 'accepted',
				review_comment: null,
				reviewed_by: world.evaluator.userId,
				root_cause: '调度系统没有超时提醒，调度员无从发现。'
			}
		]);

		const detail = await evaluator.workflow.detail({ id: finding.id });
		expect(detail.actions).toEqual([]);
		expect(detail.waitingFor).toBeNull();
		expect(detail.overdue).toBe(false);
		expect(detail.responses.map((r) => r.reviewStatus)).toEqual(['accepted', 'rejected']);
		expect(detail.submissions.map((s) => [s.verdict, s.files.map((f) => f.id)])).toEqual([
			['effective', [second.id]],
			['not_effective', [first.id]]
		]);
		expect(detail.submissions[1]).toMatchObject({
			note: '附修订后的派工规则。',
			verdictComment: '规则未经批准发布，请提供发布记录。',
			verdictByName: world.evaluator.name
		});
		expect(detail.pendingFiles).toEqual([]);
		expect(detail.timeline.map((e) => e.action)).toEqual([
			'finding.submit_response',
			'finding.reject_response',
			'finding.submit_response',
			'finding.accept_response',
			'finding.submit_evidence',
			'finding.reject_evidence',
			'finding.submit_evidence',
			'finding.verify_effective'
		]);

		const audit = await auditOf(t, finding.id);
		expect(
			audit.map((entry) => [
				entry.action,
				entry.entity_type,
				entry.actor_user_id,
				json(entry.before).status,
				json(entry.after).status
			])
		).toEqual([
			['finding.submit_response', 'finding', world.orgUser.userId, 'open', 'response_submitted'],
			['finding.reject_response', 'finding', world.evaluator.userId, 'response_submitted', 'open'],
			['finding.submit_response', 'finding', world.orgUser.userId, 'open', 'response_submitted'],
			[
				'finding.accept_response',
				'finding',
				world.evaluator.userId,
				'response_submitted',
				'action_in_progress'
			],
			[
				'finding.submit_evidence',
				'finding',
				world.orgUser.userId,
				'action_in_progress',
				'evidence_submitted'
			],
			[
				'finding.reject_evidence',
				'finding',
				world.evaluator.userId,
				'evidence_submitted',
				'action_in_progress'
			],
			[
				'finding.submit_evidence',
				'finding',
				world.orgUser.userId,
				'action_in_progress',
				'evidence_submitted'
			],
			[
				'finding.verify_effective',
				'finding',
				world.evaluator.userId,
				'evidence_submitted',
				'closed'
			]
		]);
		expect(json(audit[1]!.after).comment).toBe('原因分析不充分：请说明为何调度员未发现超时。');
		expect(json(audit[4]!.after)).toMatchObject({ files: 1, note: '附修订后的派工规则。' });
	});

	it('lets an administrator review too, and schedules a follow-up check after closing', async () => {
		const finding = await newFinding(t, world, { status: 'evidence_submitted' });
		const admin = callerFor(app, world.admin);
		const closed = await admin.workflow.reviewEvidence({
			findingId: finding.id,
			version: finding.version,
			verdict: 'verify_effective',
			comment: ''
		});
		expect(closed.status).toBe('closed');

		const today = todayInZone(new Date(), world.evaluator.tenant.timeZone);
		const on = addDays(today, 90);
		const set = await callerFor(app, world.evaluator).workflow.setFollowUpCheck({
			findingId: finding.id,
			version: closed.version,
			followUpOn: on
		});
		expect(set).toMatchObject({ status: 'closed', followUpCheckOn: on });
		const audit = await auditOf(t, finding.id);
		expect(audit.at(-1)).toMatchObject({
			action: 'finding.follow_up_set',
			actor_user_id: world.evaluator.userId
		});
		expect(json(audit.at(-1)!.after)).toEqual({ followUpCheckOn: on });

		// Not today or earlier; not by the organisation; not before the plan is accepted.
		const before = await footprint(finding.id);
		const past = await refusalOf(
			callerFor(app, world.evaluator).workflow.setFollowUpCheck({
				findingId: finding.id,
				version: set.version,
				followUpOn: today
			})
		);
		expect(past).toMatchObject({ code: 'BAD_REQUEST', field: 'followUpOn' });
		expect(past.message).toContain(today);
		expect(
			await refusalOf(
				callerFor(app, world.orgUser).workflow.setFollowUpCheck({
					findingId: finding.id,
					version: set.version,
					followUpOn: on
				})
			)
		).toMatchObject({ code: 'FORBIDDEN' });
		const open = await newFinding(t, world);
		expect(
			await refusalOf(
				callerFor(app, world.evaluator).workflow.setFollowUpCheck({
					findingId: open.id,
					version: open.version,
					followUpOn: on
				})
			)
		).toMatchObject({ code: 'CONFLICT', key: 'findings_refused_follow_up_status' });
		expect(await footprint(finding.id)).toEqual(before);
		expect(await auditOf(t, open.id)).toEqual([]);
	});

	describe('refusals, which write nothing', () => {
		it('refuses the wrong side with FORBIDDEN and says who acts', async () => {
			const open = await newFinding(t, world);
			const submitted = await newFinding(t, world, { status: 'response_submitted' });
			const inReview = await newFinding(t, world, { status: 'evidence_submitted' });
			const before = await Promise.all([open, submitted, inReview].map((f) => footprint(f.id)));

			const evaluatorResponds = await refusalOf(
				callerFor(app, world.evaluator).workflow.submitResponse(response(open.id, open.version))
			);
			expect(evaluatorResponds).toEqual({
				code: 'FORBIDDEN',
				key: 'findings_refused_role_submit_response',
				field: undefined,
				message: 'Only users of the certified organisation submit a response to a nonconformity.'
			});
			const orgAccepts = await refusalOf(
				callerFor(app, world.orgUser).workflow.reviewResponse({
					findingId: submitted.id,
					version: submitted.version,
					verdict: 'accept',
					comment: ''
				})
			);
			expect(orgAccepts).toMatchObject({
				code: 'FORBIDDEN',
				key: 'findings_refused_role_accept_response'
			});
			// Decision makers take decisions, not finding reviews.
			expect(
				await refusalOf(
					callerFor(app, world.decider).workflow.reviewEvidence({
						findingId: inReview.id,
						version: inReview.version,
						verdict: 'verify_effective',
						comment: ''
					})
				)
			).toMatchObject({ code: 'FORBIDDEN', key: 'findings_refused_role_verify_effective' });
			expect(
				await refusalOf(
					callerFor(app, world.orgUser).workflow.reviewEvidence({
						findingId: inReview.id,
						version: inReview.version,
						verdict: 'reject_evidence',
						comment: 'no'
					})
				)
			).toMatchObject({ code: 'FORBIDDEN' });

			expect(await Promise.all([open, submitted, inReview].map((f) => footprint(f.id)))).toEqual(
				before
			);
		});

		it('refuses an evaluator off the evaluation team every body step with FORBIDDEN', async () => {
			const offTeam = await newActor(t, world.tenantId, 'evaluator');
			const caller = callerFor(app, offTeam);
			const submitted = await newFinding(t, world, { status: 'response_submitted' });
			const inReview = await newFinding(t, world, { status: 'evidence_submitted' });
			const inProgress = await newFinding(t, world, { status: 'action_in_progress' });
			const findings = [submitted, inReview, inProgress];
			const before = await Promise.all(findings.map((f) => footprint(f.id)));
			const notOnTeam = { code: 'FORBIDDEN', key: 'evaluations_error_not_on_team' };
			const later = addDays(todayInZone(new Date(), offTeam.tenant.timeZone), 90);

			for (const verdict of ['accept', 'reject'] as const)
				expect(
					await refusalOf(
						caller.workflow.reviewResponse({
							findingId: submitted.id,
							version: submitted.version,
							verdict,
							comment: 'no'
						})
					)
				).toMatchObject(notOnTeam);
			for (const verdict of ['verify_effective', 'reject_evidence'] as const)
				expect(
					await refusalOf(
						caller.workflow.reviewEvidence({
							findingId: inReview.id,
							version: inReview.version,
							verdict,
							comment: 'no'
						})
					)
				).toMatchObject(notOnTeam);
			expect(
				await refusalOf(
					caller.findings.changeDue({
						id: inProgress.id,
						version: inProgress.version,
						dueOn: later,
						reason: 'Spare parts delayed'
					})
				)
			).toMatchObject(notOnTeam);
			expect(
				await refusalOf(
					caller.workflow.setFollowUpCheck({
						findingId: inProgress.id,
						version: inProgress.version,
						followUpOn: later
					})
				)
			).toMatchObject(notOnTeam);
			// Correcting what was recorded is the team's too (finding.record).
			expect(
				await refusalOf(
					caller.findings.update({
						id: inProgress.id,
						version: inProgress.version,
						statement: 'Rewritten by an outsider',
						objectiveEvidence: '',
						clauseId: null
					})
				)
			).toMatchObject(notOnTeam);
			expect(await Promise.all(findings.map((f) => footprint(f.id)))).toEqual(before);

			// The page offers none of it either.
			const detail = await caller.workflow.detail({ id: submitted.id });
			expect(detail).toMatchObject({ actions: [], mayChangeDue: false, maySetFollowUp: false });
			const onTeam = await callerFor(app, world.evaluator).workflow.detail({ id: submitted.id });
			expect(onTeam).toMatchObject({
				actions: ['accept_response', 'reject_response'],
				mayChangeDue: true,
				maySetFollowUp: false
			});
		});

		it('lets the team and an administrator take every body step', async () => {
			const later = addDays(todayInZone(new Date(), world.admin.tenant.timeZone), 90);
			for (const actor of [world.evaluator, world.admin]) {
				const caller = callerFor(app, actor);
				const submitted = await newFinding(t, world, { status: 'response_submitted' });
				const accepted = await caller.workflow.reviewResponse({
					findingId: submitted.id,
					version: submitted.version,
					verdict: 'accept',
					comment: ''
				});
				expect(accepted.status).toBe('action_in_progress');
				const moved = await caller.findings.changeDue({
					id: submitted.id,
					version: accepted.version,
					dueOn: later,
					reason: '备件进口延误'
				});
				expect(moved).toMatchObject({ due_on: later });
				const followed = await caller.workflow.setFollowUpCheck({
					findingId: submitted.id,
					version: moved.version,
					followUpOn: addDays(later, 30)
				});
				expect(followed.followUpCheckOn).toBe(addDays(later, 30));
				const inReview = await newFinding(t, world, { status: 'evidence_submitted' });
				const rejected = await caller.workflow.reviewEvidence({
					findingId: inReview.id,
					version: inReview.version,
					verdict: 'reject_evidence',
					comment: '记录不完整'
				});
				expect(rejected.status).toBe('action_in_progress');
			}
		});

		it("hides another organisation's finding and another tenant's as NOT_FOUND", async () => {
			const finding = await newFinding(t, world);
			const before = await footprint(finding.id);
			for (const actor of [world.otherOrgUser, stranger]) {
				expect(
					await refusalOf(
						callerFor(app, actor).workflow.submitResponse(response(finding.id, finding.version))
					)
				).toMatchObject({ code: 'NOT_FOUND', key: 'error_not_found' });
				expect(
					await refusalOf(callerFor(app, actor).workflow.detail({ id: finding.id }))
				).toMatchObject({ code: 'NOT_FOUND' });
			}
			expect(
				await refusalOf(
					callerFor(app, stranger).workflow.reviewResponse({
						findingId: finding.id,
						version: finding.version,
						verdict: 'accept',
						comment: ''
					})
				)
			).toMatchObject({ code: 'NOT_FOUND' });
			expect(await footprint(finding.id)).toEqual(before);
		});

		it('hides findings of a report not issued yet from the organisation', async () => {
			const draftEvaluation = await newEvaluation(t, world, { status: 'in_progress' });
			const draft = await newFinding(t, world, { evaluationId: draftEvaluation });
			expect(
				await refusalOf(
					callerFor(app, world.orgUser).workflow.submitResponse(response(draft.id, draft.version))
				)
			).toMatchObject({ code: 'NOT_FOUND' });
			expect(
				await refusalOf(callerFor(app, world.orgUser).workflow.detail({ id: draft.id }))
			).toMatchObject({ code: 'NOT_FOUND' });
			// The body sees it, and is told why nothing can happen yet.
			const detail = await callerFor(app, world.evaluator).workflow.detail({ id: draft.id });
			expect(detail.actions).toEqual([]);
			const accept = await refusalOf(
				callerFor(app, world.evaluator).workflow.reviewResponse({
					findingId: draft.id,
					version: draft.version,
					verdict: 'accept',
					comment: ''
				})
			);
			expect(accept).toMatchObject({ code: 'CONFLICT', key: 'findings_refused_report_not_issued' });
			expect(await auditOf(t, draft.id)).toEqual([]);
		});

		it('refuses an illegal transition with CONFLICT and says why, in either language', async () => {
			const finding = await newFinding(t, world);
			const before = await footprint(finding.id);
			const input = {
				findingId: finding.id,
				version: finding.version,
				verdict: 'accept' as const,
				comment: ''
			};
			expect(
				await refusalOf(callerFor(app, world.evaluator).workflow.reviewResponse(input))
			).toEqual({
				code: 'CONFLICT',
				key: 'findings_refused_status_response_submitted',
				field: undefined,
				message:
					'This finding is “Open”; it must be “Response submitted” for this step. Reload the page to see what happened meanwhile.'
			});
			const english = await post('workflow.reviewResponse', input, world.evaluator, 'en');
			expect(english.status).toBe(409);
			expect(english.error.message).toContain('“Open”');
			expect(english.error.message).toContain('“Response submitted”');
			const chinese = await post('workflow.reviewResponse', input, world.evaluator, 'zh-CN');
			expect(chinese.error.message).toBe(
				'此不符合项当前为“待提交整改回复”，此操作要求其为“整改回复待审核”。请刷新页面查看最新情况。'
			);

			// Evidence before an accepted plan; a closed finding answered again.
			expect(
				await refusalOf(
					callerFor(app, world.orgUser).workflow.submitEvidence({
						findingId: finding.id,
						version: finding.version,
						note: 'early'
					})
				)
			).toMatchObject({ code: 'CONFLICT', key: 'findings_refused_status_action_in_progress' });
			const closed = await newFinding(t, world, { status: 'closed' });
			const again = await refusalOf(
				callerFor(app, world.orgUser).workflow.submitResponse(response(closed.id, closed.version))
			);
			expect(again.message).toContain('“Closed”');
			expect(await footprint(finding.id)).toEqual(before);
			expect(await auditOf(t, closed.id)).toEqual([]);
		});

		it('refuses steps on observations: only nonconformities need corrective action', async () => {
			const observation = await newFinding(t, world, { kind: 'observation' });
			expect(
				await refusalOf(
					callerFor(app, world.orgUser).workflow.submitResponse(
						response(observation.id, observation.version)
					)
				)
			).toMatchObject({ code: 'CONFLICT', key: 'findings_refused_not_a_nonconformity' });
			const detail = await callerFor(app, world.orgUser).workflow.detail({ id: observation.id });
			expect(detail.actions).toEqual([]);
			expect(detail.waitingFor).toBeNull();
			expect(await auditOf(t, observation.id)).toEqual([]);
		});

		it('refuses a stale version with CONFLICT: reload', async () => {
			const finding = await newFinding(t, world);
			const org = callerFor(app, world.orgUser);
			const first = await org.workflow.submitResponse(response(finding.id, finding.version));
			const before = await footprint(finding.id);

			// The evaluator reviews from a page loaded before the response came in.
			const stale = await refusalOf(
				callerFor(app, world.evaluator).workflow.reviewResponse({
					findingId: finding.id,
					version: finding.version,
					verdict: 'reject',
					comment: 'old page'
				})
			);
			expect(stale).toMatchObject({ code: 'CONFLICT', key: 'error_stale_version' });
			expect(stale.message).toBe(translate('error_stale_version', 'en'));
			// A second submission from the same stale form.
			expect(
				await refusalOf(org.workflow.submitResponse(response(finding.id, finding.version)))
			).toMatchObject({ code: 'CONFLICT', key: 'error_stale_version' });
			const http = await post(
				'workflow.reviewResponse',
				{ findingId: finding.id, version: finding.version, verdict: 'accept', comment: '' },
				world.evaluator
			);
			expect(http.status).toBe(409);
			expect(http.error.message).toBe(translate('error_stale_version', 'en'));
			expect(await footprint(finding.id)).toEqual(before);
			expect(first.version).toBe(finding.version + 1);
		});

		it('refuses bad input with BAD_REQUEST on the field', async () => {
			const finding = await newFinding(t, world, { raisedOn: '2026-11-03' });
			const before = await footprint(finding.id);

			const missing = await post(
				'workflow.submitResponse',
				response(finding.id, finding.version, { correction: '  ' }),
				world.orgUser
			);
			expect(missing.status).toBe(400);
			expect(missing.error.data.code).toBe('BAD_REQUEST');
			expect(missing.error.data.fields).toEqual({ correction: translate('error_required', 'en') });
			const chinese = await post(
				'workflow.submitResponse',
				response(finding.id, finding.version, { correction: '' }),
				world.orgUser,
				'zh-CN'
			);
			expect(chinese.error.data.fields).toEqual({
				correction: translate('error_required', 'zh-CN')
			});

			const badDate = await post(
				'workflow.submitResponse',
				response(finding.id, finding.version, { targetOn: '2026-02-30' }),
				world.orgUser
			);
			expect(badDate.error.data.fields).toEqual({
				targetOn: translate('findings_date_invalid', 'en')
			});
			const tooEarly = await post(
				'workflow.submitResponse',
				response(finding.id, finding.version, { targetOn: '2026-11-02' }),
				world.orgUser
			);
			expect(tooEarly.status).toBe(400);
			expect(tooEarly.error.data.fields).toEqual({
				targetOn: 'The target date cannot be before the finding was raised (2026-11-03).'
			});
			expect(await footprint(finding.id)).toEqual(before);

			const submitted = await newFinding(t, world, { status: 'response_submitted' });
			const beforeReview = await footprint(submitted.id);
			const noComment = await post(
				'workflow.reviewResponse',
				{ findingId: submitted.id, version: submitted.version, verdict: 'reject', comment: ' ' },
				world.evaluator
			);
			expect(noComment.status).toBe(400);
			expect(noComment.error.data.fields).toEqual({
				comment: translate('findings_reject_comment_required', 'en')
			});
			expect(await footprint(submitted.id)).toEqual(beforeReview);

			const inReview = await newFinding(t, world, { status: 'evidence_submitted' });
			const noReason = await post(
				'workflow.reviewEvidence',
				{
					findingId: inReview.id,
					version: inReview.version,
					verdict: 'reject_evidence',
					comment: ''
				},
				world.evaluator,
				'zh-CN'
			);
			expect(noReason.status).toBe(400);
			expect(noReason.error.data.fields).toEqual({
				comment: translate('findings_reject_evidence_comment_required', 'zh-CN')
			});

			// Evidence needs a file or a note.
			const inProgress = await newFinding(t, world, { status: 'action_in_progress' });
			const beforeEvidence = await footprint(inProgress.id);
			const empty = await refusalOf(
				callerFor(app, world.orgUser).workflow.submitEvidence({
					findingId: inProgress.id,
					version: inProgress.version,
					note: '   '
				})
			);
			expect(empty).toMatchObject({
				code: 'BAD_REQUEST',
				field: 'note',
				message: 'Upload at least one file or write a note before submitting evidence.'
			});
			expect(await footprint(inProgress.id)).toEqual(beforeEvidence);
			// A note alone will do.
			const noted = await callerFor(app, world.orgUser).workflow.submitEvidence({
				findingId: inProgress.id,
				version: inProgress.version,
				note: '规则已于 11 月 20 日发布，见公司内网公告。'
			});
			expect(noted.status).toBe('evidence_submitted');
		});
	});

	describe('finding detail', () => {
		it('offers each actor what they may do now, and derives overdue', async () => {
			const late = await newFinding(t, world, { dueOn: '2026-01-01', raisedOn: '2025-12-01' });
			const org = await callerFor(app, world.orgUser).workflow.detail({ id: late.id });
			expect(org.actions).toEqual(['submit_response']);
			expect(org.overdue).toBe(true);
			expect(org.daysLeft).toBeLessThan(0);
			expect(org).toMatchObject({
				finding: { id: late.id, reference: late.reference, status: 'open', version: late.version },
				organisation: { id: world.organisationId },
				certificate: { id: world.certificateId },
				clause: { number: '4.2.1', titleEn: 'Service commitments' },
				waitingFor: 'organisation',
				maySetFollowUp: false,
				lastRejection: null
			});
			const evaluator = await callerFor(app, world.evaluator).workflow.detail({ id: late.id });
			expect(evaluator.actions).toEqual([]);

			const submitted = await newFinding(t, world, { status: 'response_submitted' });
			const review = await callerFor(app, world.admin).workflow.detail({ id: submitted.id });
			expect(review.actions).toEqual(['accept_response', 'reject_response']);
			expect(review.waitingFor).toBe('body');
			expect(review.responses).toHaveLength(1);

			const inProgress = await newFinding(t, world, { status: 'action_in_progress' });
			const pending = await newEvidenceFile(t, world, inProgress.id, world.orgUser.userId);
			const withFile = await callerFor(app, world.orgUser).workflow.detail({ id: inProgress.id });
			expect(withFile.actions).toEqual(['submit_evidence']);
			expect(withFile.pendingFiles).toEqual([
				expect.objectContaining({
					id: pending.id,
					originalName: 'dispatch-rules.pdf',
					sizeBytes: 2048,
					detectedType: 'application/pdf',
					effectiveFrom: '2026-11-20',
					uploadedByName: world.orgUser.name
				})
			]);
			const staff = await callerFor(app, world.evaluator).workflow.detail({ id: inProgress.id });
			expect(staff.maySetFollowUp).toBe(true);
		});
	});

	describe('my actions', () => {
		it("lists the organisation's own nonconformities by due date, with what was rejected and why", async () => {
			const body = await newOrganisation(t, world.tenantId);
			const orgAdmin = await newActor(t, world.tenantId, 'org_admin', body.id);
			const certificate = await t.db.inTenant({ tenantId: world.tenantId, userId: null }, (tx) =>
				tx
					.insertInto('certificates')
					.values({
						tenant_id: world.tenantId,
						number: `MA-${Math.random().toString(36).slice(2, 8)}`,
						organisation_id: body.id,
						standard_id: world.standardId,
						scope: 'Installation',
						issued_on: '2026-01-01',
						expires_on: '2028-12-31',
						decided_on: '2026-01-01'
					})
					.returning('id')
					.executeTakeFirstOrThrow()
			);
			const mine = { ...world, organisationId: body.id, certificateId: certificate.id };
			const evaluationId = await newEvaluation(t, mine);
			const draftEvaluation = await newEvaluation(t, mine, { status: 'in_progress' });
			const own = { ...mine, evaluationId, orgUser: orgAdmin };

			const later = await newFinding(t, own, { reference: 'NC-3', dueOn: '2027-03-01' });
			const sooner = await newFinding(t, own, {
				reference: 'NC-1',
				dueOn: '2026-11-20',
				grade: 'minor'
			});
			const inProgress = await newFinding(t, own, {
				reference: 'NC-2',
				status: 'action_in_progress',
				dueOn: '2027-01-15'
			});
			const waiting = await newFinding(t, own, { reference: 'NC-4', status: 'evidence_submitted' });
			const closed = await newFinding(t, own, { reference: 'NC-5', status: 'closed' });
			await newFinding(t, own, { reference: 'OBS-1', kind: 'observation' });
			await newFinding(t, { ...own, evaluationId: draftEvaluation }, { reference: 'NC-9' });
			await newFinding(t, world, { reference: 'NC-OTHER-ORG' });

			// The body rejects NC-1's response; it is back with the organisation, and says why.
			const caller = callerFor(app, orgAdmin);
			const submitted = await caller.workflow.submitResponse(
				response(sooner.id, sooner.version, { targetOn: '2026-11-15' })
			);
			await callerFor(app, world.evaluator).workflow.reviewResponse({
				findingId: sooner.id,
				version: submitted.version,
				verdict: 'reject',
				comment: '请补充对其他网点的排查。'
			});

			const actions = await caller.workflow.myActions();
			expect(actions.needsYou.map((i) => i.reference)).toEqual(['NC-1', 'NC-2', 'NC-3']);
			expect(actions.needsYou[0]).toMatchObject({
				id: sooner.id,
				status: 'open',
				grade: 'minor',
				dueOn: '2026-11-20',
				rejection: { kind: 'response', comment: '请补充对其他网点的排查。' }
			});
			expect(actions.needsYou[1]).toMatchObject({ id: inProgress.id, rejection: null });
			expect(actions.needsYou[2]).toMatchObject({ id: later.id, rejection: null, overdue: false });
			expect(actions.waitingForBody.map((i) => i.id)).toEqual([waiting.id]);
			expect(actions.recentlyClosed.map((i) => i.id)).toEqual([closed.id]);
			const today = todayInZone(new Date(), orgAdmin.tenant.timeZone);
			expect(actions.today).toBe(today);

			expect(await refusalOf(callerFor(app, world.evaluator).workflow.myActions())).toMatchObject({
				code: 'FORBIDDEN'
			});
		});
	});
});
