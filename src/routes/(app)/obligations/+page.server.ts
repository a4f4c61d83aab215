import { redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { runtimeApp } from '$lib/server/runtime';
import { requireActor } from '$lib/server/guards';
import { mayEver } from '$lib/server/domain/permissions';
import { loadOrRefuse, submitForm } from '$lib/server/forms';
import { id } from '$lib/server/services/common.schema';
import {
	createObligation,
	listObligationPage,
	raiseDueItemAsFinding,
	reviewDueItem,
	submitDueItem,
	updateObligation
} from '$lib/server/services/obligations';
import {
	createObligationInput,
	raiseDueItemFindingInput,
	reviewDueItemInput,
	submitDueItemInput,
	updateObligationInput
} from '$lib/server/services/obligations.schema';

export const load: PageServerLoad = async ({ locals, url }) => {
	const actor = requireActor(locals);
	if (!mayEver(actor, 'obligation.fulfil') && !mayEver(actor, 'obligation.view'))
		redirect(303, '/dashboard');
	const { db, config } = await runtimeApp();
	const chosen = url.searchParams.get('organisation') ?? '';
	const organisationId = id.safeParse(chosen).success ? chosen : undefined;
	const page = await loadOrRefuse(locals.locale, () =>
		listObligationPage(db, actor, { organisationId })
	);
	return { page, organisationId: organisationId ?? '', evidenceMaxBytes: config.evidenceMaxBytes };
};

/** The form of one row answers under its own name, so only that row shows the message. */
const formOf = (name: string, url: URL) => {
	const item = url.searchParams.get('item') ?? '';
	return item ? `${name}:${item}` : name;
};

/** Each form runs the service its tRPC procedure runs, through the same schema. */
export const actions: Actions = {
	submit: async ({ locals, request, url }) => {
		const actor = requireActor(locals);
		const { db } = await runtimeApp();
		const form = formOf('submit', url);
		return submitForm(
			request,
			locals.locale,
			submitDueItemInput,
			async (input) => {
				await submitDueItem(db, actor, input);
				return { form, done: true };
			},
			{ form }
		);
	},
	review: async ({ locals, request, url }) => {
		const actor = requireActor(locals, 'obligation.review');
		const { db } = await runtimeApp();
		const form = formOf('review', url);
		return submitForm(
			request,
			locals.locale,
			reviewDueItemInput,
			async (input) => {
				await reviewDueItem(db, actor, input);
				return { form, done: true };
			},
			{ form }
		);
	},
	raise: async ({ locals, request, url }) => {
		const actor = requireActor(locals, 'obligation.raiseFinding');
		const { db } = await runtimeApp();
		const form = formOf('raise', url);
		return submitForm(
			request,
			locals.locale,
			raiseDueItemFindingInput,
			async (input) => {
				const raised = await raiseDueItemAsFinding(db, actor, input);
				return { form, done: true, findingId: raised.findingId };
			},
			{ form }
		);
	},
	create: async ({ locals, request }) => {
		const actor = requireActor(locals, 'obligation.manage');
		const { db } = await runtimeApp();
		return submitForm(
			request,
			locals.locale,
			createObligationInput,
			async (input) => {
				await createObligation(db, actor, input);
				return { form: 'create', done: true };
			},
			{ form: 'create' }
		);
	},
	update: async ({ locals, request, url }) => {
		const actor = requireActor(locals, 'obligation.manage');
		const { db } = await runtimeApp();
		const form = formOf('update', url);
		return submitForm(
			request,
			locals.locale,
			updateObligationInput,
			async (input) => {
				await updateObligation(db, actor, input);
				return { form, done: true };
			},
			{ form }
		);
	}
};
