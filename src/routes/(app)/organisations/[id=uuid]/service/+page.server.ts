import type { Actions, PageServerLoad } from './$types';
import { formAction, pageLoad } from '$lib/server/pages';
import { getOrganisation } from '$lib/server/services/organisations';
import {
	approveObjective,
	createCommitment,
	createObjective,
	createOutlet,
	getServiceSystem,
	recordMeasurement,
	updateCommitment,
	updateObjective,
	updateOutlet
} from '$lib/server/services/service-system';
import {
	approveObjectiveInput,
	createCommitmentInput,
	createObjectiveInput,
	createOutletInput,
	recordMeasurementInput,
	updateCommitmentInput,
	updateObjectiveInput,
	updateOutletInput
} from '$lib/server/services/service-system.schema';

/*
 * The organisation's service system (issue 12 item 5): commitments, objectives with their
 * measurements and outlets, one tab each. Each form names its row (`?/action&row=<id>`), so a
 * refused one shows its errors where it was filled in.
 */

const TABS = ['commitments', 'objectives', 'outlets'] as const;
export type ServiceTab = (typeof TABS)[number];

export const load = pageLoad(
	'serviceSystem.read',
	async ({ db, actor, event: { params, url } }) => {
		const organisation = await getOrganisation(db, actor, params.id);
		const system = await getServiceSystem(db, actor, { organisationId: organisation.id });
		const asked = url.searchParams.get('tab');
		const tab: ServiceTab = TABS.find((name) => name === asked) ?? 'commitments';
		return {
			organisation: { id: organisation.id, name: organisation.legal_name },
			system,
			tab
		};
	}
) satisfies PageServerLoad;

const rowForm = (name: string) => (event: { url: URL }) =>
	`${name}:${event.url.searchParams.get('row') ?? ''}`;

export const actions: Actions = {
	createCommitment: formAction(
		'serviceSystem.manage',
		createCommitmentInput,
		async ({ db, actor, input }) => {
			await createCommitment(db, actor, input);
			return { form: 'createCommitment', saved: 'commitment_created' as const };
		},
		{ form: 'createCommitment', idAs: 'organisationId' }
	),
	updateCommitment: formAction(
		'serviceSystem.manage',
		updateCommitmentInput,
		async ({ db, actor, input, form }) => {
			await updateCommitment(db, actor, input);
			return { form, saved: 'commitment_saved' as const };
		},
		{ form: rowForm('updateCommitment') }
	),
	createObjective: formAction(
		'serviceSystem.manage',
		createObjectiveInput,
		async ({ db, actor, input }) => {
			await createObjective(db, actor, input);
			return { form: 'createObjective', saved: 'objective_created' as const };
		},
		{ form: 'createObjective', idAs: 'organisationId' }
	),
	updateObjective: formAction(
		'serviceSystem.manage',
		updateObjectiveInput,
		async ({ db, actor, input, form }) => {
			const result = await updateObjective(db, actor, input);
			return {
				form,
				saved: result.changed ? ('objective_saved' as const) : ('objective_unchanged' as const)
			};
		},
		{ form: rowForm('updateObjective') }
	),
	approveObjective: formAction(
		'serviceSystem.approve',
		approveObjectiveInput,
		async ({ db, actor, input, form }) => {
			await approveObjective(db, actor, input);
			return { form, saved: 'objective_approved' as const };
		},
		{ form: rowForm('approveObjective') }
	),
	recordMeasurement: formAction(
		'serviceSystem.measure',
		recordMeasurementInput,
		async ({ db, actor, input, form }) => {
			const result = await recordMeasurement(db, actor, input);
			return { form, saved: 'measured' as const, met: result.met };
		},
		{ form: rowForm('recordMeasurement') }
	),
	createOutlet: formAction(
		'serviceSystem.manage',
		createOutletInput,
		async ({ db, actor, input }) => {
			await createOutlet(db, actor, input);
			return { form: 'createOutlet', saved: 'outlet_created' as const };
		},
		{ form: 'createOutlet', idAs: 'organisationId' }
	),
	updateOutlet: formAction(
		'serviceSystem.manage',
		updateOutletInput,
		async ({ db, actor, input, form }) => {
			await updateOutlet(db, actor, input);
			return { form, saved: 'outlet_saved' as const };
		},
		{ form: rowForm('updateOutlet') }
	)
};
