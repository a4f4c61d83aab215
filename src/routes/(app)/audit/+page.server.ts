import { fail } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { runtimeApp } from '$lib/server/runtime';
import { requireActor } from '$lib/server/guards';
import { listAuditActors, listAuditLog, verifyAuditChain } from '$lib/server/services/audit';
import { AUDIT_ACTIONS, AUDIT_ENTITY_TYPES } from '$lib/server/audit-actions';
import { Refusal } from '$lib/server/errors';
import { translate } from '$lib/server/i18n/translate';
import { filterQuery, readAuditFilters } from './filters';

/** A keyset cursor from the query string: a positive seq, else none. */
function cursor(value: string | null): number | undefined {
	if (!value || !/^\d{1,15}$/.test(value)) return undefined;
	const seq = Number(value);
	return seq > 0 ? seq : undefined;
}

export const load: PageServerLoad = async ({ locals, url }) => {
	const actor = requireActor(locals, 'admin');
	const { db } = await runtimeApp();
	const { filters, problems } = readAuditFilters(url.searchParams);
	const after = cursor(url.searchParams.get('after'));
	const before = after === undefined ? cursor(url.searchParams.get('before')) : undefined;
	const [page, actors] = await Promise.all([
		listAuditLog(db, actor, filters, { before, after }),
		listAuditActors(db, actor)
	]);
	const query = filterQuery(filters);
	const withQuery = (path: string, cursor?: string) => {
		const search = [query, cursor].filter(Boolean).join('&');
		return search ? `${path}?${search}` : path;
	};
	const errors: Record<string, string> = {};
	for (const [field, key] of Object.entries(problems))
		errors[field] = translate(key, locals.locale);
	return {
		page,
		actors,
		filters,
		// What the person typed, shown back beside its error.
		requested: Object.fromEntries(url.searchParams),
		errors,
		links: {
			export: withQuery('/audit/export.csv'),
			newest: page.newer !== null ? withQuery('/audit') : null,
			newer: page.newer !== null ? withQuery('/audit', `after=${page.newer}`) : null,
			older: page.older !== null ? withQuery('/audit', `before=${page.older}`) : null
		},
		filtered: Object.keys(filters).length > 0,
		paged: before !== undefined || after !== undefined,
		actions: [...AUDIT_ACTIONS],
		entityTypes: [...AUDIT_ENTITY_TYPES],
		timeZone: actor.tenant.timeZone
	};
};

export const actions: Actions = {
	verify: async ({ locals }) => {
		const actor = requireActor(locals, 'admin');
		try {
			const verification = await verifyAuditChain((await runtimeApp()).db, actor);
			return { verification, verifiedAt: new Date().toISOString() };
		} catch (cause) {
			if (!(cause instanceof Refusal)) throw cause;
			return fail(cause.kind === 'FORBIDDEN' ? 403 : 400, {
				verifyError: translate(cause.messageKey, locals.locale, cause.params)
			});
		}
	}
};
