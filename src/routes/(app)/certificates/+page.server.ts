import type { PageServerLoad } from './$types';
import { runtimeApp } from '$lib/server/runtime';
import { requireActor } from '$lib/server/guards';
import { can, mayEver } from '$lib/server/domain/permissions';
import { certificateFilterChoices, listCertificatePage } from '$lib/server/services/certificates';
import {
	CERTIFICATE_SORTS,
	CERTIFICATE_STATUSES,
	listCertificatesInput
} from '$lib/server/services/certificates.schema';
import { loadListPage } from '$lib/server/http/list-query';

const NAMES = {
	status: 'status',
	standardId: 'standard',
	search: 'q',
	sort: 'sort',
	cursor: 'after'
};

export const load: PageServerLoad = async ({ locals, url }) => {
	const actor = requireActor(locals, 'certificate.list');
	const { db } = await runtimeApp();
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
		canCreate: can(actor, 'certificate.manage'),
		ownOnly: !mayEver(actor, 'organisation.readAll')
	};
};
