import type { PageServerLoad } from './$types';
import { pageLoad } from '$lib/server/pages';
import { can, mayEver } from '$lib/server/domain/permissions';
import {
	certificateTimeline,
	getCertificate,
	listCertificateEvaluations
} from '$lib/server/services/certificates';
import { getCertificateFlags } from '$lib/server/services/certificate-flags';

export const load = pageLoad('certificate.list', async ({ db, actor, event: { params, url } }) => ({
	certificate: await getCertificate(db, actor, params.id),
	evaluations: await listCertificateEvaluations(db, actor, params.id),
	timeline: await certificateTimeline(db, actor, params.id),
	flags: can(actor, 'certificate.flags') ? await getCertificateFlags(db, actor, params.id) : null,
	canEdit: can(actor, 'certificate.manage'),
	canDecide: mayEver(actor, 'certificate.decide'),
	isStaff: can(actor, 'evaluation.read'),
	saved: url.searchParams.get('saved')
})) satisfies PageServerLoad;
