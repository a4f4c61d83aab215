import { z } from 'zod';
import { asLocale } from '../i18n/translate';
import { idWith, text } from './common.schema';

/* A session's inputs: which tenant it acts in, which language the person reads. */

/** `auth.chooseTenant` and the choose-tenant page. */
export const chooseTenantInput = z.object({ tenantId: idWith('error_not_a_member') });

/** Stands in for this site's origin when resolving a path: only the origin's identity matters. */
const SITE = new URL('http://site.invalid/');

/**
 * Only paths of this site, so a `redirectTo`/`next` parameter cannot send anyone elsewhere: the
 * value is resolved as a browser would (which reads `/\host`, `/\t/host` or `//host` as another
 * host) and kept only when it stays on this origin, as the resolved, percent-encoded path
 * (no control character can reach a `Location` header). Anything else: `fallback`.
 */
export function sitePath(value: string | null | undefined, fallback = '/'): string {
	if (!value || !value.startsWith('/') || value.length > 2000) return fallback;
	// eslint-disable-next-line no-control-regex
	if (/[\u0000-\u001f\u007f\\]/.test(value)) return fallback;
	let resolved: URL;
	try {
		resolved = new URL(value, SITE);
	} catch {
		return fallback;
	}
	if (resolved.origin !== SITE.origin) return fallback;
	const path = resolved.pathname + resolved.search + resolved.hash;
	// `/.//host` resolves to the path `//host`, which a browser reads as another host.
	return path.startsWith('//') ? fallback : path;
}

/** The language switch: the chosen locale and the page to go back to. */
export const chooseLocaleInput = z.object({
	locale: z
		.string({ error: 'locale_error_invalid' })
		.refine((value) => asLocale(value) !== null, { error: 'locale_error_invalid' })
		.transform((value) => asLocale(value)!),
	redirectTo: z.preprocess(
		(value) => (value === undefined ? '/' : value),
		text(2000).transform((value) => sitePath(value))
	)
});
