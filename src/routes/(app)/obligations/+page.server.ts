import { redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad, RequestEvent } from './$types';
import { runtimeApp } from '$lib/server/runtime';
import { requireActor } from '$lib/server/guards';
import { mayEver } from '$lib/server/domain/permissions';
import { loadOrRefuse } from '$lib/server/forms';
import { formAction, stepAction } from '$lib/server/pages';
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
const rowForm =
	(name: string) =>
	({ url }: RequestEvent) => {
		const item = url.searchParams.get('item') ?? '';
		return item ? `${name}:${item}` : name;
	};

/** Each form runs the service its tRPC procedure runs, through the same schema. */
export const actions: Actions = {
	submit: stepAction('member', submitDueItemInput, submitDueItem, { form: rowForm('submit') }),
	review: stepAction('obligation.review', reviewDueItemInput, reviewDueItem, {
		form: rowForm('review')
	}),
	raise: formAction(
		'obligation.raiseFinding',
		raiseDueItemFindingInput,
		async ({ db, actor, input, form }) => {
			const raised = await raiseDueItemAsFinding(db, actor, input);
			return { form, done: true, findingId: raised.findingId };
		},
		{ form: rowForm('raise') }
	),
	create: stepAction('obligation.manage', createObligationInput, createObligation, {
		form: 'create'
	}),
	update: stepAction('obligation.manage', updateObligationInput, updateObligation, {
		form: rowForm('update')
	})
};
