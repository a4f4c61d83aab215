/** A LIKE / ILIKE pattern matching `text` anywhere, LIKE's own characters (\ % _) taken literally. */
export function likePattern(text: string): string {
	return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
