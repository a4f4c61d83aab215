import * as messages from '../../paraglide/messages.js';
import type { Locale } from '../../../../db/schema';

type MessageFunction = (params?: Record<string, unknown>, options?: { locale?: Locale }) => string;

const catalogue = messages as unknown as Record<string, MessageFunction | undefined>;

/** A message by key in an explicit locale (server code outside a page's render). */
export function translate(
	key: string,
	locale: Locale,
	params: Record<string, string | number> = {}
): string {
	const message = catalogue[key];
	return message ? message(params, { locale }) : key;
}

export function hasMessage(key: string): boolean {
	return typeof catalogue[key] === 'function';
}

export function asLocale(value: string | null | undefined): Locale | null {
	return value === 'zh-CN' || value === 'en' ? value : null;
}
