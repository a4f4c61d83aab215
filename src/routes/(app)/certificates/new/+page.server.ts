import { redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { runtimeApp } from '$lib/server/runtime';
import { requireActor } from '$lib/server/guards';
import { formAction } from '$lib/server/pages';
import { certificateFormChoices, createCertificate } from '$lib/server/services/certificates';
import { createCertificateInput } from '$lib/server/services/certificates.schema';
import { todayInZone } from '$lib/server/domain/calendar';

export const load: PageServerLoad = async ({ locals, url }) => {
	const actor = requireActor(locals, 'certificate.import');
	const choices = await certificateFormChoices((await runtimeApp()).db, actor);
	const organisationId = url.searchParams.get('organisationId') ?? '';
	return {
		...choices,
		initial: {
			organisationId: choices.organisations.some((o) => o.id === organisationId)
				? organisationId
				: '',
			issuedOn: todayInZone(new Date(), actor.tenant.timeZone)
		}
	};
};

export const actions: Actions = {
	default: formAction(
		'certificate.import',
		createCertificateInput,
		async ({ db, actor, input }) => {
			const certificate = await createCertificate(db, actor, input);
			redirect(303, `/certificates/${certificate.id}?saved=created`);
		}
	)
};
