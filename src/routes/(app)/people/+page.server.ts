import { fail } from '@sveltejs/kit';
import { z } from 'zod';
import type { Actions, PageServerLoad } from './$types';
import { runtimeApp } from '$lib/server/runtime';
import { requireActor } from '$lib/server/guards';
import { addMember, listTenantMembers } from '$lib/server/services/members';
import { listOrganisations } from '$lib/server/services/organisations';
import { Refusal } from '$lib/server/errors';
import { translate } from '$lib/server/i18n/translate';
import { email, password, role } from '$lib/server/trpc/inputs';
import type { Role } from '../../../../db/schema';

export const load: PageServerLoad = async ({ locals }) => {
	const actor = requireActor(locals, 'admin', 'org_admin');
	const { db } = await runtimeApp();
	const [members, organisations] = await Promise.all([
		listTenantMembers(db, actor),
		listOrganisations(db, actor)
	]);
	return {
		members,
		organisations: organisations.map((o) => ({ id: o.id, name: o.legal_name })),
		grantableRoles:
			actor.role === 'admin'
				? ['admin', 'evaluator', 'decision_maker', 'org_admin', 'org_member']
				: ['org_admin', 'org_member']
	};
};

const addPersonForm = z.object({
	email,
	name: z.string().trim().max(100, { error: 'error_too_long' }),
	password: z.union([z.literal(''), password]),
	role,
	organisationId: z.string()
});

export const actions: Actions = {
	add: async ({ locals, request }) => {
		const actor = requireActor(locals, 'admin', 'org_admin');
		const raw = Object.fromEntries(await request.formData());
		const values = {
			email: String(raw.email ?? ''),
			name: String(raw.name ?? ''),
			role: String(raw.role ?? ''),
			organisationId: String(raw.organisationId ?? '')
		};
		const parsed = addPersonForm.safeParse({ ...values, password: String(raw.password ?? '') });
		if (!parsed.success) {
			const errors: Record<string, string> = {};
			for (const issue of parsed.error.issues)
				errors[String(issue.path[0])] ??= translate(issue.message, locals.locale);
			return fail(400, { values, errors });
		}
		const input = parsed.data;
		try {
			await addMember((await runtimeApp()).db, actor, {
				email: input.email,
				name: input.name || undefined,
				password: input.password || undefined,
				role: input.role as Role,
				organisationId:
					input.organisationId || (actor.role === 'org_admin' ? actor.organisationId : null)
			});
		} catch (cause) {
			if (!(cause instanceof Refusal)) throw cause;
			const message = translate(cause.messageKey, locals.locale, cause.params);
			return fail(cause.kind === 'FORBIDDEN' ? 403 : 400, {
				values,
				errors: { [cause.field ?? '_']: message }
			});
		}
		return { added: input.email };
	}
};
