/*
 * Asks before an irreversible step (issuing a report, closing a finding, a certification
 * decision) is sent, saying what will happen. A Svelte action on the form: it listens in the
 * capture phase, so it runs before `use:enhance`'s own submit listener, and re-submits with the
 * same button once confirmed. Without JavaScript the form is sent as it is: the server's rules
 * still apply, only the question is skipped.
 */

export interface ConfirmOptions {
	/**
	 * What the step will do, in the reader's language; given the button that sent the form (a
	 * form with an accept and a reject button asks only for one). Null: send without asking.
	 */
	message: (submitter: HTMLButtonElement | null) => string | null;
	/** The heading of the question, e.g. "Issue the report?". */
	title: string;
	confirm: string;
	cancel: string;
}

let dialogs = 0;

export function confirmSubmit(form: HTMLFormElement, initial: ConfirmOptions) {
	let options = initial;
	let confirmed = false;

	function onSubmit(event: SubmitEvent) {
		if (confirmed) {
			confirmed = false;
			return;
		}
		const submitter = event.submitter instanceof HTMLButtonElement ? event.submitter : null;
		const message = options.message(submitter);
		if (!message) return;
		event.preventDefault();
		event.stopImmediatePropagation();
		ask(message, () => {
			confirmed = true;
			form.requestSubmit(submitter ?? undefined);
		});
	}

	function ask(message: string, onConfirm: () => void) {
		const id = `confirm-${++dialogs}`;
		const dialog = document.createElement('dialog');
		dialog.className = 'confirm-dialog';
		dialog.setAttribute('aria-labelledby', `${id}-title`);
		dialog.setAttribute('aria-describedby', `${id}-body`);
		dialog.dataset.testid = 'confirm-dialog';
		const inner = document.createElement('form');
		inner.method = 'dialog';
		const title = document.createElement('h2');
		title.id = `${id}-title`;
		title.textContent = options.title;
		const body = document.createElement('p');
		body.id = `${id}-body`;
		body.textContent = message;
		const buttons = document.createElement('div');
		buttons.className = 'buttons';
		const cancel = document.createElement('button');
		cancel.value = 'cancel';
		cancel.className = 'secondary';
		cancel.textContent = options.cancel;
		// The safe answer has the focus: Enter on an unread question changes nothing.
		cancel.autofocus = true;
		const confirm = document.createElement('button');
		confirm.value = 'confirm';
		confirm.textContent = options.confirm;
		buttons.append(confirm, cancel);
		inner.append(title, body, buttons);
		dialog.append(inner);
		dialog.addEventListener('close', () => {
			const answer = dialog.returnValue;
			dialog.remove();
			if (answer === 'confirm') onConfirm();
		});
		document.body.append(dialog);
		dialog.showModal();
	}

	form.addEventListener('submit', onSubmit, { capture: true });
	return {
		update(next: ConfirmOptions) {
			options = next;
		},
		destroy() {
			form.removeEventListener('submit', onSubmit, { capture: true });
		}
	};
}
