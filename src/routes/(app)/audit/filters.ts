import { auditFilterProblems, type AuditFilters } from '$lib/server/services/audit';

/** The filter fields the audit page and its CSV export read from the query string. */
export const FILTER_FIELDS = ['entityType', 'action', 'actor', 'from', 'to'] as const;

/**
 * The usable filters in `params`, and a message key for each one that is not (an unusable
 * filter is dropped rather than failing the whole page).
 */
export function readAuditFilters(params: URLSearchParams): {
	filters: AuditFilters;
	problems: Record<string, string>;
} {
	const requested: AuditFilters = {};
	for (const field of FILTER_FIELDS) {
		const value = params.get(field)?.trim();
		if (value) requested[field] = value;
	}
	const problems = auditFilterProblems(requested);
	const filters: AuditFilters = {};
	for (const field of FILTER_FIELDS) {
		const value = requested[field];
		if (value && !problems[field]) filters[field] = value;
	}
	// An inverted range is reported on `to` but both ends are dropped.
	if (problems.to === 'audit_error_date_order') delete filters.from;
	return { filters, problems };
}

export function filterQuery(filters: AuditFilters): string {
	const params = new URLSearchParams();
	for (const field of FILTER_FIELDS) if (filters[field]) params.set(field, filters[field]);
	return params.toString();
}
