import { byId, router, service } from '../init';
import * as certificates from '../../services/certificates';
import {
	certificateRef,
	createCertificateInput,
	listCertificatesInput,
	previewExpiryInput,
	updateCertificateInput
} from '../../services/certificates.schema';

/* Certificates: members read what their role sees (the service decides), managers change them. */

export const certificatesRouter = router({
	list: service('certificate.list', listCertificatesInput).query(certificates.listCertificatePage),
	get: service('member', certificateRef).query(byId(certificates.getCertificate)),
	evaluations: service('member', certificateRef).query(
		byId(certificates.listCertificateEvaluations)
	),
	timeline: service('member', certificateRef).query(byId(certificates.certificateTimeline)),
	/** The expiry the create form previews, computed from the standard's scheme rules. */
	previewExpiry: service('certificate.manage', previewExpiryInput).query(
		certificates.previewCertificateExpiry
	),
	/** Imports a certificate issued before CertTrack or by another body (admins). */
	create: service('certificate.import', createCertificateInput).mutation(
		certificates.createCertificate
	),
	update: service('certificate.manage', updateCertificateInput).mutation((db, actor, input) =>
		certificates.updateCertificate(db, actor, input.id, input.version, input)
	)
});
