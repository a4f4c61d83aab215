import type { PageServerLoad } from './$types';
import { pageLoad } from '$lib/server/pages';
import { listComplaintPage } from '$lib/server/services/complaints';
import { listComplaintsInput } from '$lib/server/services/complaints.schema';
import {
	ACKNOWLEDGE_WORKING_DAYS,
	COMPLAINT_STATUSES
} from '$lib/server/domain/complaint-lifecycle';

/** The body's triage list of complaints (issue 13 item 4), filtered by status. */
export const load = pageLoad('complaint.read', async ({ db, actor, event: { url } }) => {
	// An unknown status in the address shows them all rather than an error page.
	const parsed = listComplaintsInput.safeParse({ status: url.searchParams.get('status') ?? '' });
	const input = parsed.success ? parsed.data : {};
	const page = await listComplaintPage(db, actor, input);
	return {
		...page,
		status: input.status ?? '',
		statuses: [...COMPLAINT_STATUSES],
		workingDays: ACKNOWLEDGE_WORKING_DAYS
	};
}) satisfies PageServerLoad;
