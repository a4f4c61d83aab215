import type { PageServerLoad } from './$types';
import { runtimeApp } from '$lib/server/runtime';
import { requireActor } from '$lib/server/guards';
import { listCertificates } from '$lib/server/services/certificates';
import type { CertificateStatus } from '../../../../db/schema';

const STATUSES: CertificateStatus[] = ['active', 'suspended', 'withdrawn', 'expired'];

export const load: PageServerLoad = async ({ locals, url }) => {
	const actor = requireActor(locals);
	const requested = url.searchParams.get('status') as CertificateStatus | null;
	const status = requested && STATUSES.includes(requested) ? requested : undefined;
	const certificates = await listCertificates((await runtimeApp()).db, actor, { status });
	return {
		certificates,
		status: status ?? '',
		statuses: STATUSES,
		canCreate: actor.role === 'admin' || actor.role === 'evaluator',
		ownOnly: actor.role === 'org_admin' || actor.role === 'org_member'
	};
};
