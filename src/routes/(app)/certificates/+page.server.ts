import type { PageServerLoad } from './$types';
import { pageLoad } from '$lib/server/pages';
import { can, mayEver } from '$lib/server/domain/permissions';
import { listCertificates } from '$lib/server/services/certificates';
import {
	CERTIFICATE_STATUSES,
	listCertificatesInput
} from '$lib/server/services/certificates.schema';

export const load = pageLoad('certificate.list', async ({ db, actor, event: { url } }) => {
	// An unknown status in the address lists them all rather than failing the page.
	const parsed = listCertificatesInput.safeParse({
		status: url.searchParams.get('status') || undefined
	});
	const status = parsed.success ? parsed.data.status : undefined;
	const certificates = await listCertificates(db, actor, { status });
	return {
		certificates,
		status: status ?? '',
		statuses: CERTIFICATE_STATUSES,
		canCreate: can(actor, 'certificate.manage'),
		ownOnly: !mayEver(actor, 'organisation.readAll')
	};
}) satisfies PageServerLoad;
