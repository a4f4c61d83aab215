import type { z } from 'zod';
import type { Actions, PageServerLoad } from './$types';
import { lifecycleSide } from '$lib/server/domain/permissions';
import { pageLoad, stepAction, type ServiceCall } from '$lib/server/pages';
import { getFindingDetail } from '$lib/server/services/finding-detail';
import { changeFindingDueDate } from '$lib/server/services/findings';
import { changeDueInput } from '$lib/server/services/findings.schema';
import { removeEvidenceFile, reviewEvidenceFile } from '$lib/server/services/evidence-review';
import {
	removeEvidenceFileInput,
	reviewEvidenceFileInput
} from '$lib/server/services/evidence-review.schema';
import {
	reviewEvidence,
	reviewResponse,
	setFollowUpCheck,
	submitEvidence,
	submitResponse
} from '$lib/server/services/finding-workflow';
import {
	followUpInput,
	respondInput,
	reviewEvidenceInput,
	reviewResponseInput,
	submitEvidenceInput
} from '$lib/server/services/finding-workflow.schema';

export const load = pageLoad('member', async ({ app, db, actor, event: { params } }) => {
	const detail = await getFindingDetail(db, actor, params.id);
	return {
		detail,
		organisationSide: lifecycleSide(actor.role) === 'organisation',
		evidenceMaxBytes: app.config.evidenceMaxBytes
	};
}) satisfies PageServerLoad;

/**
 * Each form of the page runs its step's service with the schema its tRPC procedure takes, on the
 * finding in the address; the form is named for the page's messages.
 */
const step = <Schema extends z.ZodType>(
	form: string,
	schema: Schema,
	call: ServiceCall<z.output<Schema>>,
	idAs = 'findingId'
) => stepAction('member', schema, call, { form, idAs });

export const actions: Actions = {
	respond: step('respond', respondInput, submitResponse),
	reviewResponse: step('reviewResponse', reviewResponseInput, reviewResponse),
	submitEvidence: step('submitEvidence', submitEvidenceInput, submitEvidence),
	reviewEvidence: step('reviewEvidence', reviewEvidenceInput, reviewEvidence),
	changeDue: step(
		'changeDue',
		changeDueInput,
		(db, actor, input) => changeFindingDueDate(db, actor, input.id, input.version, input),
		'id'
	),
	followUp: step('followUp', followUpInput, setFollowUpCheck),
	// One form per file (`?/reviewFile&file=<id>`): its answer names the file it concerns.
	reviewFile: stepAction('member', reviewEvidenceFileInput, reviewEvidenceFile, {
		form: (event) => `reviewFile:${event.url.searchParams.get('file') ?? ''}`,
		idAs: 'findingId'
	}),
	removeFile: stepAction('member', removeEvidenceFileInput, removeEvidenceFile, {
		form: (event) => `removeFile:${event.url.searchParams.get('file') ?? ''}`,
		idAs: 'findingId'
	})
};
