import { fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad, RequestEvent } from './$types';
import { runtimeApp } from '$lib/server/runtime';
import { requireActor } from '$lib/server/guards';
import { formAction } from '$lib/server/pages';
import { formValues, readForm } from '$lib/server/forms';
import { certificateFormChoices, createCertificate } from '$lib/server/services/certificates';
import {
	createCertificateInput,
	PREVIOUS_HISTORY_ROWS_MAX
} from '$lib/server/services/certificates.schema';
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

/** One row of the earlier body's history as the form posted it. */
interface HistoryRow {
	on: string;
	event: string;
	note: string;
}

/** The history rows of a posted form, every one (the failure's `values` keep a field's first). */
function historyRowsOf(data: FormData | null): HistoryRow[] {
	const all = (name: string) =>
		(data?.getAll(name) ?? []).map((value) => (typeof value === 'string' ? value : ''));
	const ons = all('previousHistoryOn');
	const events = all('previousHistoryEvent');
	const notes = all('previousHistoryNote');
	return Array.from({ length: Math.max(ons.length, events.length, notes.length) }, (_, i) => ({
		on: ons[i] ?? '',
		event: events[i] ?? '',
		note: notes[i] ?? ''
	}));
}

const create = formAction(
	'certificate.import',
	createCertificateInput,
	async ({ db, actor, input }) => {
		const certificate = await createCertificate(db, actor, input);
		redirect(303, `/certificates/${certificate.id}?saved=created`);
	}
);

export const actions: Actions = {
	/*
	 * The import, or one of the history rows' buttons ("add a row", "remove row n"), which work
	 * without JavaScript: the form comes back with its rows changed and nothing saved.
	 */
	default: async (event: RequestEvent) => {
		requireActor(event.locals, 'certificate.import');
		const data = await readForm(event.request.clone());
		const rows = historyRowsOf(data);
		const button = data?.get('historyRow');
		if (button === 'add')
			return {
				values: formValues(data),
				history: [...rows, { on: '', event: '', note: '' }].slice(0, PREVIOUS_HISTORY_ROWS_MAX)
			};
		const removed = typeof button === 'string' ? /^remove:(\d{1,3})$/.exec(button) : null;
		if (removed)
			return {
				values: formValues(data),
				history: rows.filter((_, i) => i !== Number(removed[1]))
			};
		// The import redirects to the certificate; refused, it comes back with every row as typed.
		const refused = await create(event);
		return fail(refused.status, { ...refused.data, history: rows });
	}
};
