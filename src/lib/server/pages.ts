import type { ActionFailure, RequestEvent, ServerLoadEvent } from '@sveltejs/kit';
import type { z } from 'zod';
import type { Actor } from './actor';
import type { App } from './app';
import type { AppDatabase } from './db/tenant-scope';
import type { Capability } from './domain/permissions';
import { requireActor } from './guards';
import { runtimeApp } from './runtime';
import { loadOrRefuse, submitForm, type FormFailure } from './forms';

/*
 * A page's load and form actions are what a tRPC procedure is (trpc/init.ts `service`): who may
 * call it, the use case's schema, one service call. `pageLoad` and `formAction` write the rest
 * once: the acting member (a role that may never hold the capability gets the 403 page), the
 * App, and a refusal as the error page with its status (load) or as the form's answer with the
 * values typed (actions, through `submitForm`).
 */

/** A capability the role must be able to hold, or any member (the service decides). */
export type PageGate = Capability | 'member';

export interface PageUse<Event> {
	app: App;
	db: AppDatabase;
	actor: Actor;
	event: Event;
}

/**
 * A page's load, written `export const load = pageLoad(…) satisfies PageServerLoad`: `satisfies`
 * (not an annotation) keeps the data's own type for the page, and gives `event` the route's.
 */
export function pageLoad<Event extends ServerLoadEvent, Result>(
	gate: PageGate,
	work: (use: PageUse<Event>) => Promise<Result>
) {
	return async (event: Event): Promise<Result> => {
		const actor = requireActor(event.locals, gate === 'member' ? undefined : gate);
		const app = await runtimeApp();
		return loadOrRefuse(event.locals.locale, () => work({ app, db: app.db, actor, event }));
	};
}

export interface FormUse<Input, Event> extends PageUse<Event> {
	/** The posted form (and what the URL added) as the schema parsed it. */
	input: Input;
	event: Event;
	/** The form's name on a page with several; the answer carries it back. */
	form: string | undefined;
}

export interface FormActionOptions<Event> {
	/** The form's name, or how the request names it (one row's form among many). */
	form?: string | ((event: Event) => string);
	/**
	 * The schema's field that takes the route's `[id]`: the thing acted on is the one in the
	 * address, whatever the form posts.
	 */
	idAs?: string;
	/** Values the schema's messages name (limits). */
	params?: Record<string, string | number>;
}

function idFrom(event: RequestEvent, field: string | undefined) {
	return field ? { [field]: event.params.id } : undefined;
}

export function formAction<
	Schema extends z.ZodType,
	Result,
	Event extends RequestEvent = RequestEvent
>(
	gate: PageGate,
	schema: Schema,
	run: (use: FormUse<z.output<Schema>, Event>) => Promise<Result>,
	options: FormActionOptions<Event> = {}
) {
	return async (event: Event): Promise<Result | ActionFailure<FormFailure>> => {
		const actor = requireActor(event.locals, gate === 'member' ? undefined : gate);
		const app = await runtimeApp();
		const form = typeof options.form === 'function' ? options.form(event) : options.form;
		return submitForm(
			event.request,
			event.locals.locale,
			schema,
			(input) => run({ app, db: app.db, actor, input, event, form }),
			{ form, extra: idFrom(event, options.idAs), params: options.params }
		);
	};
}

/** A use case as the tRPC procedure calls it: the database, the actor, the parsed input. */
export type ServiceCall<Input> = (db: AppDatabase, actor: Actor, input: Input) => Promise<unknown>;

/**
 * The form of a step whose page shows only that it was taken: the service call is the tRPC
 * procedure's, the answer `{ form, done: true }`.
 */
export function stepAction<Schema extends z.ZodType, Event extends RequestEvent = RequestEvent>(
	gate: PageGate,
	schema: Schema,
	call: ServiceCall<z.output<Schema>>,
	options: FormActionOptions<Event> = {}
) {
	return formAction(
		gate,
		schema,
		async ({ db, actor, input, form }) => {
			await call(db, actor, input);
			return { form, done: true as const };
		},
		options
	);
}
