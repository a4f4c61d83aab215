import { redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad, RequestEvent } from './$types';
import { mayEver } from '$lib/server/domain/permissions';
import { formAction, pageLoad, stepAction } from '$lib/server/pages';
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

export const load = pageLoad('member', async ({ app, db, actor, event: { url } }) => {
	if (!mayEver(actor, 'obligation.fulfil') && !mayEver(actor, 'obligation.view'))
		redirect(303, '/dashboard');
	const chosen = url.searchParams.get('organisation') ?? '';
	const organisationId = id.safeParse(chosen).success ? chosen : undefined;
	const page = await listObligationPage(db, actor, { organisationId });
	return {
		page,
		organisationId: organisationId ?? '',
		exportQuery: organisationId ? `organisation=${organisationId}` : '',
		evidenceMaxBytes: app.config.evidenceMaxBytes
	};
}) satisfies PageServerLoad;

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
