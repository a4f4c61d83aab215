import type { z } from 'zod';
import type { Tx } from '../db/tenant-scope';
import type { Actor } from '../actor';
import { badInput, staleVersion } from '../errors';
import { hasMessage } from '../i18n/translate';
import { recordAudit } from '../repositories/audit';
import type { AUDIT_ENTITY_TYPES, AuditAction } from '../audit-actions';

/* What the catalogue's services share: their input checked again, versions, audit entries. */

/**
 * The input a service was given, checked again by its use case's schema (pages, jobs and the
 * demo data call services directly): the first problem as a refusal on its field.
 */
export function checked<Schema extends z.ZodType>(
	schema: Schema,
	input: unknown
): z.output<Schema> {
	const result = schema.safeParse(input);
	if (result.success) return result.data;
	const issue = result.error.issues[0];
	const field = issue?.path.join('.') || '_';
	throw badInput(field, issue && hasMessage(issue.message) ? issue.message : 'error_invalid_input');
}

/** The version a form was filled from; anything else cannot be current. */
export function requireVersion(version: number, { orUnsaved = false } = {}) {
	if (!Number.isInteger(version) || version < (orUnsaved ? 0 : 1)) throw staleVersion();
}

export function audit(
	tx: Tx,
	actor: Actor,
	entry: {
		action: AuditAction;
		entityType: (typeof AUDIT_ENTITY_TYPES)[number];
		entityId: string;
		before?: unknown;
		after?: unknown;
		/** When it happened, if not now (the demo's past). */
		at?: Date;
	}
) {
	return recordAudit(tx, { tenantId: actor.tenantId, actorUserId: actor.userId, ...entry });
}
