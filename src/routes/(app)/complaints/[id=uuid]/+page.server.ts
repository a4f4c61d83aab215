import { redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { formAction, pageLoad, stepAction } from '$lib/server/pages';
import {
	getComplaint,
	openSpecialEvaluation,
	takeComplaintStep
} from '$lib/server/services/complaints';
import {
	complaintStepInput,
	openSpecialEvaluationInput
} from '$lib/server/services/complaints.schema';

/** One complaint: what was filed, its steps and clock, its history, the body's next steps. */
export const load = pageLoad('complaint.read', async ({ db, actor, event: { params } }) =>
	getComplaint(db, actor, params.id)
) satisfies PageServerLoad;

/** Each form runs the service its tRPC procedure runs, through the same schema. */
export const actions: Actions = {
	step: stepAction('complaint.triage', complaintStepInput, takeComplaintStep, {
		form: 'step',
		idAs: 'id'
	}),
	evaluate: formAction(
		'complaint.triage',
		openSpecialEvaluationInput,
		async ({ db, actor, input }) => {
			const opened = await openSpecialEvaluation(db, actor, input);
			redirect(303, `/evaluations/${opened.evaluationId}`);
		},
		{ form: 'evaluate', idAs: 'id' }
	)
};
