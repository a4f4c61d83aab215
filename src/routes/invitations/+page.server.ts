import { redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { runtimeApp } from '$lib/server/runtime';
import { parseForm } from '$lib/server/forms';
import { answerMyInvitation } from '$lib/server/services/members';
import { answerInvitationInput } from '$lib/server/services/members.schema';

/* The invitations are listed on /choose-tenant; this route only takes the answer. */

export const load: PageServerLoad = () => redirect(303, '/choose-tenant');

export const actions: Actions = {
	default: async ({ locals, request }) => {
		if (!locals.person) redirect(303, '/login');
		const parsed = await parseForm(request, answerInvitationInput, locals.locale);
		// Unknown, another person's, answered already or malformed: one answer for all of them.
		const answered =
			parsed.ok &&
			(await answerMyInvitation(
				(await runtimeApp()).db,
				locals.person.userId,
				parsed.data.invitationId,
				parsed.data.answer
			));
		redirect(303, `/choose-tenant?invitation=${answered ? parsed.data.answer : 'gone'}`);
	}
};
