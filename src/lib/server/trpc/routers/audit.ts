import { capabilityProcedure, router, service } from '../init';
import * as audit from '../../services/audit';
import { checkpointStore } from '../../evidence/checkpoints';
import { auditListInput, verifyAuditChainInput } from '../../services/audit.schema';

export const auditRouter = router({
	list: service('audit.read', auditListInput).query((db, actor, input) => {
		const { before, after, limit, ...filters } = input;
		return audit.listAuditLog(db, actor, filters, { before, after }, limit);
	}),

	verify: capabilityProcedure('audit.read')
		.input(verifyAuditChainInput)
		.query(({ ctx }) =>
			audit.verifyAuditChain(ctx.app.db, ctx.actor, {
				checkpoints: checkpointStore(ctx.app.config)
			})
		)
});
