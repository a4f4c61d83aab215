import { z } from 'zod';
import { memberProcedure, router } from '../init';
import * as certificates from '../../services/certificates';

export const certificatesRouter = router({
	list: memberProcedure
		.input(
			z
				.object({
					status: z.enum(['active', 'suspended', 'withdrawn', 'expired']).optional(),
					organisationId: z.uuid().optional()
				})
				.default({})
		)
		.query(({ ctx, input }) => certificates.listCertificates(ctx.app.db, ctx.actor, input))
});
