import { z } from 'zod';
import { blankAsUndefined, isoDate, requiredText, text } from './common.schema';

/*
 * The public verification pages' inputs (query strings). Bounds match the columns: a certificate
 * number is at most 100 characters, a search at most 200.
 */

/** `/verify?number=`: an exact certificate number ('' shows the empty form). */
export const verifyNumberInput = z.object({ number: text(100) });

/** A body's public slug, as the path gives it. */
const slug = requiredText(100, 'error_not_found');

/** `/verify/<slug>?q=`: a number, a USCC or part of an organisation's name. */
export const verifyBodySearchInput = z.object({ slug, q: text(200) });

/** A certificate page: its number (the path) and, optionally, the day to show (`?on=`). */
export const publicCertificateInput = z.object({
	slug,
	number: requiredText(100),
	on: blankAsUndefined(isoDate())
});

/** A badge's language (`?lang=`): Chinese unless English is asked for. */
export const badgeInput = z.object({
	lang: z
		.enum(['zh-CN', 'en'])
		.optional()
		.catch(undefined)
		.transform((value) => value ?? 'zh-CN')
});
