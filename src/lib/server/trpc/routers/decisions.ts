import { z } from 'zod';
import { router, staffProcedure } from '../init';
import { id, requiredText, version } from '../inputs';
import { DECISION_KINDS, getDecisionOptions, takeDecision } from '../../services/decisions';

/* Certification decisions (SPEC §3): decision makers only; the service applies the rules. */

export const decisionInput = z.object({
	certificateId: id,
	version,
	evaluationId: z.union([z.literal(''), id]).nullish(),
	kind: z.enum(DECISION_KINDS, { error: 'findings_decision_kind_invalid' }),
	reason: requiredText(4000),
	newGradeLevelId: z.union([z.literal(''), id]).nullish(),
	newScope: z.string().trim().max(4000, { error: 'error_too_long' }).nullish()
});

export const decisionsRouter = router({
	options: staffProcedure('decision_maker')
		.input(z.object({ certificateId: id }))
		.query(({ ctx, input }) => getDecisionOptions(ctx.app.db, ctx.actor, input.certificateId)),

	take: staffProcedure('decision_maker')
		.input(decisionInput)
		.mutation(({ ctx, input }) =>
			takeDecision(ctx.app.db, ctx.actor, {
				...input,
				evaluationId: input.evaluationId || null,
				newGradeLevelId: input.newGradeLevelId || null,
				newScope: input.newScope ?? null
			})
		)
});
