import type { PageServerLoad } from './$types';
import { pageLoad } from '$lib/server/pages';
import { can, mayEver } from '$lib/server/domain/permissions';
import {
	certificateTimeline,
	getCertificate,
	listCertificateEvaluations
} from '$lib/server/services/certificates';
import { getCertificateFlags } from '$lib/server/services/certificate-flags';
import { publicCertificatePath } from '$lib/server/services/verification';
import { qrDrawing } from '$lib/server/qr-code';

export const load = pageLoad('certificate.list', async ({ db, actor, event: { params, url } }) => {
	const certificate = await getCertificate(db, actor, params.id);
	// The public page's address from the app's public ORIGIN: what the QR code and badge point at.
	const publicPath = publicCertificatePath(actor.tenant.slug, certificate.number);
	const publicUrl = url.origin + publicPath;
	return {
		certificate,
		publicPath,
		publicUrl,
		qr: qrDrawing(publicUrl),
		evaluations: await listCertificateEvaluations(db, actor, params.id),
		timeline: await certificateTimeline(db, actor, params.id),
		flags: can(actor, 'certificate.flags') ? await getCertificateFlags(db, actor, params.id) : null,
		canEdit: can(actor, 'certificate.manage'),
		canDecide: mayEver(actor, 'certificate.decide'),
		isStaff: can(actor, 'evaluation.read'),
		saved: url.searchParams.get('saved')
	};
}) satisfies PageServerLoad;
