import { z } from 'zod';
import { asLocale } from '../i18n/translate';
import { idWith, text } from './common.schema';

/* A session's inputs: which tenant it acts in, which language the person reads. */

/** `auth.chooseTenant` and the choose-tenant page. */
export const chooseTenantInput = z.object({ tenantId: idWith('error_not_a_member') });

/** Only paths of this site, so a `redirectTo`/`next` parameter cannot send anyone elsewhere. */
export function sitePath(value: string | null | undefined, fallback = '/'): string {
	return value && value.startsWith('/') && !value.startsWith('//') && !value.startsWith('/\\')
		? value
		: fallback;
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
