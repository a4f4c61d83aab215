import { redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { formAction, pageLoad } from '$lib/server/pages';
import { getCertificate, updateCertificate } from '$lib/server/services/certificates';
import { updateCertificateInput } from '$lib/server/services/certificates.schema';

export const load = pageLoad('certificate.manage', async ({ db, actor, event: { params } }) => {
	const certificate = await getCertificate(db, actor, params.id);
	return {
		certificate: {
			id: certificate.id,
			number: certificate.number,
			scope: certificate.scope,
			issuedOn: certificate.issued_on,
			decidedOn: certificate.decided_on,
			expiresOn: certificate.expires_on,
			renewedOn: certificate.renewedOn,
			version: certificate.version,
			standardId: certificate.standard_id,
			standardCode: certificate.standard_code,
			organisationName: certificate.organisation_name
		}
	};
}) satisfies PageServerLoad;

export const actions: Actions = {
	default: formAction(
		'certificate.manage',
		updateCertificateInput,
		async ({ db, actor, input }) => {
			await updateCertificate(db, actor, input.id, input.version, input);
			redirect(303, `/certificates/${input.id}?saved=updated`);
		},
		{ idAs: 'id' }
	)
};
