import type { Actions, PageServerLoad } from './$types';
import { runtimeApp } from '$lib/server/runtime';
import { requireActor } from '$lib/server/guards';
import { lifecycleSide } from '$lib/server/domain/permissions';
import { loadOrRefuse, submitForm } from '$lib/server/forms';
import { getFindingDetail } from '$lib/server/services/finding-detail';
import { changeFindingDueDate } from '$lib/server/services/findings';
import { changeDueInput } from '$lib/server/services/findings.schema';
import {
	reviewEvidence,
	reviewResponse,
	setFollowUpCheck,
	submitEvidence,
	submitResponse
} from '$lib/server/services/finding-workflow';
import {
	followUpInput,
	respondInput,
	reviewEvidenceInput,
	reviewResponseInput,
	submitEvidenceInput
} from '$lib/server/services/finding-workflow.schema';

export const load: PageServerLoad = async ({ locals, params }) => {
	const actor = requireActor(locals);
	const { db, config } = await runtimeApp();
	const detail = await loadOrRefuse(locals.locale, () => getFindingDetail(db, actor, params.id));
	return {
		detail,
		organisationSide: lifecycleSide(actor.role) === 'organisation',
		evidenceMaxBytes: config.evidenceMaxBytes
	};
};

/** Each form of the page runs its step's service with the schema its tRPC procedure takes. */
export const actions: Actions = {
	respond: async ({ locals, params, request }) => {
		const actor = requireActor(locals);
		const { db } = await runtimeApp();
		return submitForm(
			request,
			locals.locale,
			respondInput,
			async (input) => {
				await submitResponse(db, actor, input);
				return { form: 'respond', done: true };
			},
			{ form: 'respond', extra: { findingId: params.id } }
		);
	},
	reviewResponse: async ({ locals, params, request }) => {
		const actor = requireActor(locals);
		const { db } = await runtimeApp();
		return submitForm(
			request,
			locals.locale,
			reviewResponseInput,
			async (input) => {
				await reviewResponse(db, actor, input);
				return { form: 'reviewResponse', done: true };
			},
			{ form: 'reviewResponse', extra: { findingId: params.id } }
		);
	},
	submitEvidence: async ({ locals, params, request }) => {
		const actor = requireActor(locals);
		const { db } = await runtimeApp();
		return submitForm(
			request,
			locals.locale,
			submitEvidenceInput,
			async (input) => {
				await submitEvidence(db, actor, input);
				return { form: 'submitEvidence', done: true };
			},
			{ form: 'submitEvidence', extra: { findingId: params.id } }
		);
	},
	reviewEvidence: async ({ locals, params, request }) => {
		const actor = requireActor(locals);
		const { db } = await runtimeApp();
		return submitForm(
			request,
			locals.locale,
			reviewEvidenceInput,
			async (input) => {
				await reviewEvidence(db, actor, input);
				return { form: 'reviewEvidence', done: true };
			},
			{ form: 'reviewEvidence', extra: { findingId: params.id } }
		);
	},
	changeDue: async ({ locals, params, request }) => {
		const actor = requireActor(locals);
		const { db } = await runtimeApp();
		return submitForm(
			request,
			locals.locale,
			changeDueInput,
			async (input) => {
				await changeFindingDueDate(db, actor, input.id, input.version, input);
				return { form: 'changeDue', done: true };
			},
			{ form: 'changeDue', extra: { id: params.id } }
		);
	},
	followUp: async ({ locals, params, request }) => {
		const actor = requireActor(locals);
		const { db } = await runtimeApp();
		return submitForm(
			request,
			locals.locale,
			followUpInput,
			async (input) => {
				await setFollowUpCheck(db, actor, input);
				return { form: 'followUp', done: true };
			},
			{ form: 'followUp', extra: { findingId: params.id } }
		);
	}
};
