import { parse } from 'devalue';
import { buildApp, startBuiltApp, type RunningServer } from './server';

/*
 * Form actions through HTTP, as a browser posts them: a signed-in session (cookie jar), the
 * page's Origin, and SvelteKit's action protocol (`x-sveltekit-action`), whose answer carries the
 * action's status and data. One built app on the embedded default with the demo data serves a
 * whole test file.
 */

export const DEMO_PASSWORD = 'demo-password-2026';

export interface ActionAnswer {
	/** The HTTP status of the action (a failure's status, 200 for success, 303 for a redirect). */
	status: number;
	type: 'success' | 'failure' | 'redirect' | 'error';
	data: Record<string, unknown> | null;
	location: string | null;
}

export class Browserless {
	#cookies = new Map<string, string>();
	constructor(readonly origin: string) {}

	#remember(response: Response) {
		for (const line of response.headers.getSetCookie()) {
			const [pair] = line.split(';');
			const at = pair!.indexOf('=');
			const name = pair!.slice(0, at).trim();
			const value = pair!.slice(at + 1).trim();
			if (value === '' || /max-age=0/i.test(line)) this.#cookies.delete(name);
			else this.#cookies.set(name, value);
		}
	}

	get cookieHeader(): string {
		return [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ');
	}

	setCookie(name: string, value: string) {
		this.#cookies.set(name, value);
	}

	async fetch(path: string, init: RequestInit = {}): Promise<Response> {
		const headers = new Headers(init.headers);
		if (this.#cookies.size && !headers.has('cookie')) headers.set('cookie', this.cookieHeader);
		const response = await fetch(`${this.origin}${path}`, { redirect: 'manual', ...init, headers });
		this.#remember(response);
		return response;
	}

	/** Signs in through the login form; with several bodies, chooses `tenantSlug`'s. */
	async signIn(email: string, password = DEMO_PASSWORD): Promise<void> {
		const body = new URLSearchParams({ email, password });
		const response = await this.fetch('/login', {
			method: 'POST',
			body,
			headers: {
				origin: this.origin,
				accept: 'text/html',
				'content-type': 'application/x-www-form-urlencoded'
			}
		});
		if (response.status !== 303) throw new Error(`sign-in of ${email} answered ${response.status}`);
	}

	/**
	 * Posts `fields` to `path`'s form action `action` (null: the default action) as a browser's
	 * enhanced form does, and reads SvelteKit's answer.
	 */
	async action(
		path: string,
		action: string | null,
		fields: Record<string, string | string[]> | FormData | string,
		options: { contentType?: string | null; origin?: string | null } = {}
	): Promise<ActionAnswer> {
		let body: BodyInit;
		if (typeof fields === 'string' || fields instanceof FormData) body = fields;
		else {
			const form = new URLSearchParams();
			for (const [name, value] of Object.entries(fields))
				for (const one of Array.isArray(value) ? value : [value]) form.append(name, one);
			body = form;
		}
		const headers: Record<string, string> = {
			accept: 'application/json',
			'x-sveltekit-action': 'true'
		};
		const origin = options.origin === undefined ? this.origin : options.origin;
		if (origin) headers.origin = origin;
		if (options.contentType) headers['content-type'] = options.contentType;
		const url = `${path}${action ? `?/${action}` : ''}`;
		const response = await this.fetch(url, { method: 'POST', body, headers });
		const text = await response.text();
		let answer: { type?: string; status?: number; data?: string; location?: string } = {};
		try {
			answer = JSON.parse(text);
		} catch {
			return { status: response.status, type: 'error', data: { text }, location: null };
		}
		const type = (answer.type ?? 'error') as ActionAnswer['type'];
		return {
			status: answer.status ?? response.status,
			type,
			data: answer.data ? (parse(answer.data) as Record<string, unknown>) : null,
			location: answer.location ?? null
		};
	}
}

/** A built app with the demo data for one test file; `stop` in afterAll. */
export async function startDemoApp(
	env: Record<string, string | undefined> = {}
): Promise<RunningServer> {
	buildApp();
	return startBuiltApp(env);
}

/** A new signed-in client of `server`. */
export async function signedIn(server: RunningServer, email: string): Promise<Browserless> {
	const client = new Browserless(server.origin);
	await client.signIn(email);
	return client;
}
