import { beforeNavigate } from '$app/navigation';
import { onMount } from 'svelte';

/*
 * "Unsaved changes" on long forms (issue 10): once a person has typed into a POST form with at
 * least LONG_FORM fields, leaving the page asks first — a link or the back button through
 * SvelteKit's router (a confirm in the page's language), closing or reloading the tab through
 * the browser's own dialog. Submitting the form is not leaving it. Short forms (a comment, a
 * date) and GET filter forms never ask: losing them costs nothing.
 *
 * Call once, from the root layout; it watches every form the app renders, so no page has to
 * remember to opt in.
 */

const LONG_FORM = 4;

const FIELDS =
	'input:not([type=hidden]):not([type=submit]):not([type=button]):not([type=file]), select, textarea';

function isLongForm(form: HTMLFormElement): boolean {
	return form.method === 'post' && form.querySelectorAll(FIELDS).length >= LONG_FORM;
}

export function warnOnUnsavedChanges(question: () => string): void {
	const edited = new Set<HTMLFormElement>();
	const pending = () => {
		for (const form of edited) if (!form.isConnected) edited.delete(form);
		return edited.size > 0;
	};

	onMount(() => {
		const onInput = (event: Event) => {
			const form = (event.target as Element | null)?.closest?.('form');
			if (form instanceof HTMLFormElement && isLongForm(form)) edited.add(form);
		};
		const onSubmit = (event: SubmitEvent) => {
			if (event.target instanceof HTMLFormElement) edited.delete(event.target);
		};
		document.addEventListener('input', onInput, true);
		document.addEventListener('submit', onSubmit, true);
		return () => {
			document.removeEventListener('input', onInput, true);
			document.removeEventListener('submit', onSubmit, true);
		};
	});

	beforeNavigate((navigation) => {
		if (!pending()) return;
		// Leaving the document: cancel() makes the browser show its own "leave site?" dialog.
		if (navigation.willUnload) return navigation.cancel();
		if (!confirm(question())) navigation.cancel();
		else edited.clear();
	});
}
