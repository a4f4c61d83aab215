import { router, service } from '../init';
import { getDecisionOptions, takeDecision } from '../../services/decisions';
import { decisionOptionsSchema, takeDecisionSchema } from '../../services/decisions.schema';

/* Certification decisions (SPEC §3): decision makers only; the service applies the rules. */

export const decisionsRouter = router({
	options: service('certificate.decide', decisionOptionsSchema).query((db, actor, input) =>
		getDecisionOptions(db, actor, input.certificateId)
	),
	take: service('certificate.decide', takeDecisionSchema).mutation(takeDecision)
});
