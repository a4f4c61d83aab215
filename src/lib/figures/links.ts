/*
 * Where a bar of a figure leads: the finding list with the filter the bar counts (its URL
 * filters, src/routes/(app)/findings/+page.server.ts), or the certificate list by status.
 */

export type FindingLinkFilter = {
	status?: string;
	grade?: string;
	kind?: string;
	standard?: string;
	organisation?: string;
	clause?: string;
	overdue?: boolean;
	unclosed?: boolean;
	due_from?: string | null;
	due_to?: string | null;
};

export function findingsHref(filter: FindingLinkFilter): string {
	const query = new URLSearchParams();
	for (const [name, value] of Object.entries(filter)) {
		if (value === true) query.set(name, '1');
		else if (typeof value === 'string' && value !== '') query.set(name, value);
	}
	const text = query.toString();
	return text ? `/findings?${text}` : '/findings';
}

/** Open nonconformities (any stage before closed) and the overdue ones among them. */
export const openLink = (filter: FindingLinkFilter) =>
	findingsHref({ kind: 'nonconformity', ...filter, unclosed: true });
export const overdueLink = (filter: FindingLinkFilter) =>
	findingsHref({ kind: 'nonconformity', ...filter, overdue: true });

export const certificatesHref = (status: string) => `/certificates?status=${status}`;
