import { error, fail } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { runtimeApp } from '$lib/server/runtime';
import { requireActor } from '$lib/server/guards';
import {
	getEvaluation,
	takeEvaluationStep,
	teamCandidates,
	updateEvaluationPlan
} from '$lib/server/services/evaluations';
import { raiseFinding } from '$lib/server/services/findings';
import { entityTimeline } from '$lib/server/services/timeline';
import { EVALUATION_ACTIONS, type EvaluationAction } from '$lib/server/domain/evaluation-lifecycle';
import { Refusal } from '$lib/server/errors';
import { translate } from '$lib/server/i18n/translate';
import type { FindingKind, Locale, NonconformityGrade } from '../../../../../db/schema';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const load: PageServerLoad = async ({ locals, params }) => {
	const actor = requireActor(locals, 'admin', 'evaluator', 'decision_maker');
	if (!UUID.test(params.id)) error(404, translate('error_not_found', locals.locale));
	const { db } = await runtimeApp();
	try {
		const detail = await getEvaluation(db, actor, params.id);
		const [timeline, people] = await Promise.all([
			entityTimeline(db, actor, 'evaluation', params.id),
			detail.mayEditPlan ? teamCandidates(db, actor) : Promise.resolve([])
		]);
		return { ...detail, timeline, people, role: actor.role };
	} catch (cause) {
		if (cause instanceof Refusal) error(404, translate(cause.messageKey, locals.locale));
		throw cause;
	}
};

/** A refusal as the form it concerns shows it. */
function refused(
	cause: unknown,
	locale: Locale,
	form: string,
	values: Record<string, string | string[]>
) {
	if (!(cause instanceof Refusal)) throw cause;
	const message = translate(cause.messageKey, locale, cause.params);
	return fail(cause.kind === 'FORBIDDEN' ? 403 : cause.kind === 'CONFLICT' ? 409 : 400, {
		form,
		values,
		errors: { [cause.field ?? '_']: message }
	});
}

function reader(form: FormData) {
	return (name: string) => String(form.get(name) ?? '').trim();
}

export const actions: Actions = {
	step: async ({ locals, params, request }) => {
		const actor = requireActor(locals, 'admin', 'evaluator');
		const text = reader(await request.formData());
		const action = text('action') as EvaluationAction;
		const values = { action };
		if (!EVALUATION_ACTIONS.includes(action))
			return fail(400, {
				form: 'step',
				values,
				errors: { _: translate('error_invalid_input', locals.locale) }
			});
		try {
			await takeEvaluationStep(
				(await runtimeApp()).db,
				actor,
				params.id,
				Number(text('version')),
				action
			);
		} catch (cause) {
			return refused(cause, locals.locale, 'step', values);
		}
		return { form: 'step', done: action };
	},

	record: async ({ locals, params, request }) => {
		const actor = requireActor(locals, 'admin', 'evaluator');
		const text = reader(await request.formData());
		const values = {
			kind: text('kind'),
			grade: text('grade'),
			clauseId: text('clauseId'),
			statement: text('statement'),
			objectiveEvidence: text('objectiveEvidence')
		};
		try {
			const finding = await raiseFinding((await runtimeApp()).db, actor, params.id, {
				kind: values.kind as FindingKind,
				grade: (values.grade || null) as NonconformityGrade | null,
				clauseId: values.clauseId || null,
				statement: values.statement,
				objectiveEvidence: values.objectiveEvidence
			});
			return { form: 'record', recorded: finding.reference };
		} catch (cause) {
			return refused(cause, locals.locale, 'record', values);
		}
	},

	updatePlan: async ({ locals, params, request }) => {
		const actor = requireActor(locals, 'admin', 'evaluator');
		const form = await request.formData();
		const text = reader(form);
		const values = {
			windowStart: text('windowStart'),
			windowEnd: text('windowEnd'),
			leadId: text('leadId'),
			teamIds: form.getAll('teamIds').map(String)
		};
		try {
			await updateEvaluationPlan(
				(await runtimeApp()).db,
				actor,
				params.id,
				Number(text('version')),
				values
			);
		} catch (cause) {
			return refused(cause, locals.locale, 'updatePlan', values);
		}
		return { form: 'updatePlan', saved: true };
	}
};
