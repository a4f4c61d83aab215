import { z } from 'zod';
import { AUDIT_ACTIONS, AUDIT_ENTITY_TYPES } from '../audit-actions';
import { SYSTEM_ACTOR } from '../repositories/audit-log';
import { blankAsUndefined, isoDate, text } from './common.schema';

/*
 * The audit log's inputs, once: the tRPC procedures, the audit page's query string, its CSV
 * export and the service itself read the same filters. Each filter is optional; a blank one is
 * not given. The vocabulary is the log's own (audit-actions.ts).
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A value picked from `choices`, with the field's own message for anything else. */
const oneOf = (choices: readonly string[], messageKey: string) =>
	blankAsUndefined(
		text(100).refine((value) => value === '' || choices.includes(value), { error: messageKey })
	);

export const auditFilterShape = {
	entityType: oneOf(AUDIT_ENTITY_TYPES, 'audit_error_entity_type'),
	action: oneOf(AUDIT_ACTIONS, 'audit_error_action'),
	/** A member's user id, or 'system' for entries written without a person (jobs). */
	actor: blankAsUndefined(
		text(40).refine((value) => value === '' || value === SYSTEM_ACTOR || UUID.test(value), {
			error: 'audit_error_actor'
		})
	),
	/** Days in the tenant's zone, both ends included. */
	from: blankAsUndefined(isoDate('audit_error_date')),
	to: blankAsUndefined(isoDate('audit_error_date'))
};

export const AUDIT_FILTER_FIELDS = Object.keys(
	auditFilterShape
) as (keyof typeof auditFilterShape)[];

function rangeInOrder(filters: { from?: string; to?: string }) {
	return !filters.from || !filters.to || filters.from <= filters.to;
}
const rangeOrder = { error: 'audit_error_date_order', path: ['to'] };

export const auditFilters = z.object(auditFilterShape).refine(rangeInOrder, rangeOrder);
export type AuditFilterInput = z.output<typeof auditFilters>;

/** A keyset cursor: a seq of the log. */
const seq = z.preprocess(
	(value) => (typeof value === 'string' && /^\s*\d{1,15}\s*$/.test(value) ? Number(value) : value),
	z.int({ error: 'error_invalid_cursor' }).positive({ error: 'error_invalid_cursor' })
);

/** The page's cursors from its query string: `before` older entries, `after` newer ones. */
export const auditCursor = z.object({
	before: blankAsUndefined(seq),
	after: blankAsUndefined(seq)
});

export const AUDIT_PAGE_SIZE = 50;

/** `audit.list`: one page of the log, filtered. */
export const auditListInput = z
	.object({
		...auditFilterShape,
		...auditCursor.shape,
		limit: z.int().min(1).max(200).default(AUDIT_PAGE_SIZE)
	})
	.refine(rangeInOrder, rangeOrder)
	.default({ limit: AUDIT_PAGE_SIZE });

/** `audit.verify` and the page's verify action: nothing to say but "verify". */
export const verifyAuditChainInput = z.object({}).optional();
