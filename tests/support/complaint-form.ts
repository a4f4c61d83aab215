import type { TestDatabase } from './databases';
import type { Locale } from '../../db/schema';

/*
 * The public complaint form's posts, as SvelteKit hands them to the verify pages' `complain`
 * action: a multipart body (the fields, and files under `files`), the page's URL and params,
 * the visitor's language and address. The action itself is the caller's, imported after its
 * `vi.mock` of the runtime.
 */

export const COMPLAINT_ORIGIN = 'https://certtrack.example.test';

/** Where a body's public pages are: its slug, and the number of one of its certificates. */
export async function publicAddress(
	t: TestDatabase,
	world: { tenantId: string; certificateId: string }
): Promise<{ slug: string; number: string }> {
	return {
		slug: await tenantSlug(t, world.tenantId),
		number: (
			await t.owner
				.selectFrom('certificates')
				.select('number')
				.where('id', '=', world.certificateId)
				.executeTakeFirstOrThrow()
		).number
	};
}

export async function tenantSlug(t: TestDatabase, tenantId: string): Promise<string> {
	return (
		await t.owner
			.selectFrom('tenants')
			.select('slug')
			.where('id', '=', tenantId)
			.executeTakeFirstOrThrow()
	).slug;
}

export interface ComplaintFile {
	name: string;
	bytes: Uint8Array;
	/** The type the browser claims; application/pdf unless given. */
	type?: string;
}

export interface ComplaintPost {
	slug: string;
	/** The certificate page's form; without it, the body's page. */
	number?: string;
	fields: Record<string, string>;
	files?: ComplaintFile[];
	locale?: Locale;
	address: string;
	/** Instead of the multipart body of `fields` and `files`: this body, with these headers. */
	raw?: { body: BodyInit; headers: Record<string, string> };
}

export type ComplaintAnswer = Record<string, unknown> & {
	status?: number;
	data?: { errors: Record<string, string>; values: Record<string, string> };
};

/** The multipart body a browser posts for the form. */
export function complaintBody(fields: Record<string, string>, files: ComplaintFile[] = []) {
	const data = new FormData();
	for (const [key, value] of Object.entries(fields)) data.set(key, value);
	for (const file of files)
		data.append(
			'files',
			new File([file.bytes as BlobPart], file.name, { type: file.type ?? 'application/pdf' })
		);
	return data;
}

/** Posts the form to `action`; answers what it returned and the headers it set. */
export async function postComplaint(
	action: (event: never) => unknown,
	post: ComplaintPost
): Promise<{ answer: ComplaintAnswer; headers: Record<string, string> }> {
	const headers: Record<string, string> = {};
	const path =
		post.number === undefined
			? `/verify/${post.slug}?/complain`
			: `/verify/${post.slug}/${post.number}?/complain`;
	const event = {
		request: new Request(`${COMPLAINT_ORIGIN}${path}`, {
			method: 'POST',
			body: post.raw?.body ?? complaintBody(post.fields, post.files),
			headers: post.raw?.headers
		}),
		url: new URL(`${COMPLAINT_ORIGIN}${path}`),
		params:
			post.number === undefined ? { slug: post.slug } : { slug: post.slug, number: post.number },
		locals: { locale: post.locale ?? 'en' },
		getClientAddress: () => post.address,
		setHeaders: (set: Record<string, string>) => Object.assign(headers, set)
	};
	const answer = (await action(event as never)) as ComplaintAnswer;
	return { answer, headers };
}
