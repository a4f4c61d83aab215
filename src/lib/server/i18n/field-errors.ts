import type { ZodError } from 'zod';
import * as zodLocales from 'zod/v4/locales';
import type { Locale } from '../../../../db/schema';
import { hasMessage, translate } from './translate';

const zodMessages = {
	'zh-CN': zodLocales.zhCN().localeError,
	en: zodLocales.en().localeError
};

type ZodIssue = ZodError['issues'][number];

/**
 * The first message of each field of a failed parse, in the user's language ('_' for the input
 * as a whole). Our own refinements carry message keys; zod's built-in checks use its locale.
 * `depth` 1 names a field by its first path segment (forms); Infinity joins the whole path (tRPC).
 */
export function fieldErrors(
	error: ZodError,
	locale: Locale,
	params: Record<string, string | number> = {},
	depth = Infinity
): Record<string, string> {
	const fields: Record<string, string> = {};
	for (const issue of error.issues) {
		const field = issue.path.slice(0, depth).map(String).join('.') || '_';
		if (fields[field]) continue;
		fields[field] = messageOf(issue, locale, params);
	}
	return fields;
}

function messageOf(issue: ZodIssue, locale: Locale, params: Record<string, string | number>) {
	if (hasMessage(issue.message)) return translate(issue.message, locale, params);
	const localised = zodMessages[locale]?.(issue as never);
	return typeof localised === 'string' ? localised : (localised?.message ?? issue.message);
}
