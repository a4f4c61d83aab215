import { capabilityProcedure, router } from '../init';
import { getDecisionOptions, takeDecision } from '../../services/decisions';
import { decisionOptionsSchema, takeDecisionSchema } from '../../services/decisions.schema';

/* Certification decisions (SPEC §3): decision makers only; the service applies the rules. */

export const decisionsRouter = router({
	options: capabilityProcedure('certificate.decide')
		.input(decisionOptionsSchema)
		.query(({ ctx, input }) => getDecisionOptions(ctx.app.db, ctx.actor, input.certificateId)),

	take: capabilityProcedure('certificate.decide')
		.input(takeDecisionSchema)
		.mutation(({ ctx, input }) => takeDecision(ctx.app.db, ctx.actor, input))
});
