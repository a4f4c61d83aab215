import { fail, isActionFailure } from '@sveltejs/kit';
import { formObject, readForm } from '$lib/server/forms';

/*
 * A form with a team picker posts `teamIds` once per person chosen; a refused submission's
 * values keep only one value per field, so the team chosen is handed back beside them.
 */
export async function keepingTeam<Result>(
	request: Request,
	submit: (request: Request) => Promise<Result>
) {
	const copy = request.clone();
	const result = await submit(request);
	if (!isActionFailure(result)) return result;
	const data = await readForm(copy);
	const teamIds = data ? formObject(data).teamIds : undefined;
	return fail(result.status, {
		...(result.data as unknown as object),
		teamIds: teamIds === undefined ? [] : Array.isArray(teamIds) ? teamIds : [teamIds]
	});
}
