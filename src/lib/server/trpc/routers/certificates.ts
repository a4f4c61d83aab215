import { capabilityProcedure, memberProcedure, router } from '../init';
import * as certificates from '../../services/certificates';
import {
	certificateRef,
	createCertificateInput,
	listCertificatesInput,
	previewExpiryInput,
	updateCertificateInput
} from '../../services/certificates.schema';

export const certificatesRouter = router({
	list: capabilityProcedure('certificate.list')
		.input(listCertificatesInput)
		.query(({ ctx, input }) => certificates.listCertificatePage(ctx.app.db, ctx.actor, input)),

	get: memberProcedure
		.input(certificateRef)
		.query(({ ctx, input }) => certificates.getCertificate(ctx.app.db, ctx.actor, input.id)),

	evaluations: memberProcedure
		.input(certificateRef)
		.query(({ ctx, input }) =>
			certificates.listCertificateEvaluations(ctx.app.db, ctx.actor, input.id)
		),

	timeline: memberProcedure
		.input(certificateRef)
		.query(({ ctx, input }) => certificates.certificateTimeline(ctx.app.db, ctx.actor, input.id)),

	/** The expiry the create form previews, computed from the standard's scheme rules. */
	previewExpiry: capabilityProcedure('certificate.manage')
		.input(previewExpiryInput)
		.query(({ ctx, input }) => certificates.previewCertificateExpiry(ctx.app.db, ctx.actor, input)),

	create: capabilityProcedure('certificate.manage')
		.input(createCertificateInput)
		.mutation(({ ctx, input }) => certificates.createCertificate(ctx.app.db, ctx.actor, input)),

	update: capabilityProcedure('certificate.manage')
		.input(updateCertificateInput)
		.mutation(({ ctx, input }) =>
			certificates.updateCertificate(ctx.app.db, ctx.actor, input.id, input.version, input)
		)
});
