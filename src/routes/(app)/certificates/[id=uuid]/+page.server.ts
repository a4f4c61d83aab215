import type { PageServerLoad } from './$types';
import { runtimeApp } from '$lib/server/runtime';
import { requireActor } from '$lib/server/guards';
import { loadOrRefuse } from '$lib/server/forms';
import { can, mayEver } from '$lib/server/domain/permissions';
import {
	certificateTimeline,
	getCertificate,
	listCertificateEvaluations
} from '$lib/server/services/certificates';
import { getCertificateFlags } from '$lib/server/services/certificate-flags';

export const load: PageServerLoad = async ({ locals, params, url }) => {
	const actor = requireActor(locals, 'certificate.list');
	const { db } = await runtimeApp();
	return loadOrRefuse(locals.locale, async () => ({
		certificate: await getCertificate(db, actor, params.id),
		evaluations: await listCertificateEvaluations(db, actor, params.id),
		timeline: await certificateTimeline(db, actor, params.id),
		flags: can(actor, 'certificate.flags') ? await getCertificateFlags(db, actor, params.id) : null,
		canEdit: can(actor, 'certificate.manage'),
		canDecide: mayEver(actor, 'certificate.decide'),
		isStaff: can(actor, 'evaluation.read'),
		saved: url.searchParams.get('saved')
	}));
};
