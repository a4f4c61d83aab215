import type { PageServerLoad } from './$types';
import { pageLoad } from '$lib/server/pages';
import { can, mayEver } from '$lib/server/domain/permissions';
import { certificateFilterChoices, listCertificatePage } from '$lib/server/services/certificates';
import {
	CERTIFICATE_SORTS,
	CERTIFICATE_STATUSES,
	listCertificatesInput
} from '$lib/server/services/certificates.schema';
import { filterQueryOf, loadListPage } from '$lib/server/http/list-query';
import { CERTIFICATE_QUERY as NAMES } from '$lib/server/http/list-names';

export const load = pageLoad('certificate.list', async ({ db, actor, event: { url } }) => {
	const [{ input, page, links }, standards] = await Promise.all([
		loadListPage(url, listCertificatesInput, NAMES, (input) =>
			listCertificatePage(db, actor, input)
		),
		certificateFilterChoices(db, actor)
	]);
	return {
		page,
		...links,
		status: input.status ?? '',
		standard: input.standardId ?? '',
		q: input.search ?? '',
		sort: input.sort ?? 'number',
		filtered: Boolean(input.status || input.standardId || input.search),
		statuses: CERTIFICATE_STATUSES,
		sorts: CERTIFICATE_SORTS,
		standards,
		canCreate: can(actor, 'certificate.import'),
		ownOnly: !mayEver(actor, 'organisation.readAll'),
		exportQuery: filterQueryOf(input, NAMES)
	};
}) satisfies PageServerLoad;
