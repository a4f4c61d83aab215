import { getLocale } from '$lib/paraglide/runtime';

/* Catalogue records carry a Chinese title and (optionally) an English one. */

/** The title in the reader's language, falling back to the Chinese one. */
export function titleIn(zh: string, en: string): string {
	return getLocale() === 'en' && en ? en : zh;
}

/** The other language's title, shown beneath; empty when there is none or it is the same. */
export function otherTitle(zh: string, en: string): string {
	const other = getLocale() === 'en' ? (en ? zh : '') : en;
	return other === titleIn(zh, en) ? '' : other;
}
