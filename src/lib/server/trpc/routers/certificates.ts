import { z } from 'zod';
import { memberProcedure, router, staffProcedure } from '../init';
import * as certificates from '../../services/certificates';
import { isIsoDate } from '../../domain/calendar';
import { id, requiredText, version } from '../inputs';

const isoDate = z.string().trim().refine(isIsoDate, { error: 'organisations_error_date_invalid' });

/** The fields of a certificate that are not decisions, as the edit form and the API take them. */
export const certificateCorrectionInput = z.object({
	number: requiredText(100),
	scope: requiredText(2000),
	issuedOn: isoDate,
	decidedOn: isoDate.optional().nullable()
});

export const newCertificateInput = certificateCorrectionInput.extend({
	organisationId: id,
	standardId: id,
	gradeLevelId: id.optional().nullable()
});

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
		.query(({ ctx, input }) => certificates.listCertificates(ctx.app.db, ctx.actor, input)),

	get: memberProcedure
		.input(z.object({ id }))
		.query(({ ctx, input }) => certificates.getCertificate(ctx.app.db, ctx.actor, input.id)),

	evaluations: memberProcedure
		.input(z.object({ id }))
		.query(({ ctx, input }) =>
			certificates.listCertificateEvaluations(ctx.app.db, ctx.actor, input.id)
		),

	timeline: memberProcedure
		.input(z.object({ id }))
		.query(({ ctx, input }) => certificates.certificateTimeline(ctx.app.db, ctx.actor, input.id)),

	/** The expiry the create form previews, computed from the standard's scheme rules. */
	previewExpiry: staffProcedure('admin', 'evaluator')
		.input(z.object({ standardId: id, issuedOn: isoDate }))
		.query(({ ctx, input }) => certificates.previewCertificateExpiry(ctx.app.db, ctx.actor, input)),

	create: staffProcedure('admin', 'evaluator')
		.input(newCertificateInput)
		.mutation(({ ctx, input }) => certificates.createCertificate(ctx.app.db, ctx.actor, input)),

	update: staffProcedure('admin', 'evaluator')
		.input(certificateCorrectionInput.extend({ id, version }))
		.mutation(({ ctx, input }) =>
			certificates.updateCertificate(ctx.app.db, ctx.actor, input.id, input.version, input)
		)
});
