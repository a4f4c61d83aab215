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

/** The largest PDF /verify reads to check ("is this PDF genuine?"): its hash is all it needs. */
export const VERIFY_PDF_MAX_BYTES = 20 * 1024 * 1024;

/**
 * "Is this PDF genuine?": the code printed on it (any case, with or without dashes), or the PDF
 * itself (checked by the action). `''` with no file shows the empty form.
 */
export const verifyDocumentInput = z.object({
	code: text(40).refine((value) => value === '' || /^[0-9A-Za-z\s-]{12,40}$/.test(value), {
		error: 'documents_verify_code_invalid'
	})
});
