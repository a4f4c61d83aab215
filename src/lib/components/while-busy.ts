import type { ActionResult, SubmitFunction } from '@sveltejs/kit';

/** How the page takes the action's answer: whether the form is emptied, the page data reloaded. */
type UpdateOptions = { reset?: boolean; invalidateAll?: boolean };

/**
 * The enhance callback of a form that flags itself busy while it posts (its button disabled), then
 * takes the answer as `options` say (by default: form emptied, page data reloaded) and, last,
 * runs `done` with the result (a success closing an editor, say).
 */
export function whileBusy(
	setBusy: (busy: boolean) => void,
	options: UpdateOptions | ((result: ActionResult) => UpdateOptions) = {},
	done?: (result: ActionResult) => void
): SubmitFunction {
	return () => {
		setBusy(true);
		return async ({ update, result }) => {
			await update(typeof options === 'function' ? options(result) : options);
			setBusy(false);
			done?.(result);
		};
	};
}
