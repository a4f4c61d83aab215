import type { Actions, PageServerLoad } from './$types';
import {
	latestAuditCheckpoint,
	listAuditActors,
	listAuditLog,
	verifyAuditChain
} from '$lib/server/services/audit';
import { checkpointStore } from '$lib/server/evidence/checkpoints';
import { auditCursor, verifyAuditChainInput } from '$lib/server/services/audit.schema';
import { AUDIT_ACTIONS, AUDIT_ENTITY_TYPES } from '$lib/server/audit-actions';
import { formAction, pageLoad } from '$lib/server/pages';
import { translate } from '$lib/server/i18n/translate';
import { filterQuery, readAuditFilters } from './filters';

export const load = pageLoad('audit.read', async ({ app, db, actor, event: { locals, url } }) => {
	const { filters, problems } = readAuditFilters(url.searchParams);
	// A cursor that is no seq is ignored: the page starts at the newest entries.
	const cursors = auditCursor.safeParse({
		before: url.searchParams.get('before') ?? undefined,
		after: url.searchParams.get('after') ?? undefined
	});
	const after = cursors.success ? cursors.data.after : undefined;
	const before = cursors.success && after === undefined ? cursors.data.before : undefined;
	const [page, actors, checkpoint] = await Promise.all([
		listAuditLog(db, actor, filters, { before, after }),
		listAuditActors(db, actor),
		latestAuditCheckpoint(actor, checkpointStore(app.config))
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
		checkpoint,
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
}) satisfies PageServerLoad;

export const actions: Actions = {
	verify: formAction('audit.read', verifyAuditChainInput, async ({ app, db, actor }) => ({
		verification: await verifyAuditChain(db, actor, { checkpoints: checkpointStore(app.config) }),
		verifiedAt: new Date().toISOString()
	}))
};
