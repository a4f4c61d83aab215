import { error, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { runtimeApp } from '$lib/server/runtime';
import { chooseTenant, listTenantsOf } from '$lib/server/services/sessions';
import { chooseTenantInput } from '$lib/server/services/sessions.schema';
import { parseForm } from '$lib/server/forms';
import { translate } from '$lib/server/i18n/translate';
import { listMyInvitations } from '$lib/server/services/members';

export const load: PageServerLoad = async ({ locals, url }) => {
	if (!locals.person) redirect(303, '/login');
	const { db } = await runtimeApp();
	const [memberships, invitations] = await Promise.all([
		listTenantsOf(db, locals.person.userId),
		listMyInvitations(db, locals.person.userId)
	]);
	const answered = url.searchParams.get('invitation');
	return {
		invitations: invitations.map((invitation) => ({
			id: invitation.id,
			tenantName: invitation.tenant_name,
			role: invitation.role
		})),
		answered:
			answered === 'accepted' || answered === 'declined' || answered === 'gone' ? answered : null,
		memberships: memberships.map((membership) => ({
			tenantId: membership.tenant_id,
			name: membership.tenant_name,
			role: membership.role,
			current: membership.tenant_id === locals.person?.tenantId
		}))
	};
};

export const actions: Actions = {
	default: async ({ locals, request }) => {
		if (!locals.person) redirect(303, '/login');
		const parsed = await parseForm(request, chooseTenantInput, locals.locale);
		if (!parsed.ok) {
			const { status, data } = parsed.failure;
			// A tenant that is no id is one the person is not a member of.
			error(status === 400 && !data.errors._ ? 403 : status, Object.values(data.errors)[0]);
		}
		if (!(await chooseTenant((await runtimeApp()).db, locals.person, parsed.data.tenantId)))
			error(403, translate('error_not_a_member', locals.locale));
		redirect(303, '/dashboard');
	}
};
