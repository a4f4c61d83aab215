import { z } from 'zod';
import { router, staffProcedure } from '../init';
import * as audit from '../../services/audit';

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'audit_error_date' });
const seq = z.int().positive();

/** The same filters as the audit page; the service checks them against the vocabulary. */
const filters = z.object({
	entityType: z.string().trim().max(50).optional(),
	action: z.string().trim().max(80).optional(),
	actor: z.string().trim().max(40).optional(),
	from: isoDate.optional(),
	to: isoDate.optional()
});

export const auditRouter = router({
	list: staffProcedure('admin')
		.input(
			filters
				.extend({
					before: seq.optional(),
					after: seq.optional(),
					limit: z.int().min(1).max(200).default(audit.AUDIT_PAGE_SIZE)
				})
				.default({ limit: audit.AUDIT_PAGE_SIZE })
		)
		.query(({ ctx, input }) => {
			const { before, after, limit, ...rest } = input;
			return audit.listAuditLog(ctx.app.db, ctx.actor, rest, { before, after }, limit);
		}),

	verify: staffProcedure('admin').query(({ ctx }) => audit.verifyAuditChain(ctx.app.db, ctx.actor))
});
