import { AUDIT_FILTER_FIELDS, auditFilters } from '$lib/server/services/audit.schema';
import { auditFilterProblems, type AuditFilters } from '$lib/server/services/audit';

/**
 * The usable filters in `params` (read through the audit filter schema), and a message key for
 * each one that is not: an unusable filter is dropped rather than failing the whole page.
 */
export function readAuditFilters(params: URLSearchParams): {
	filters: AuditFilters;
	problems: Record<string, string>;
} {
	const requested: Record<string, string> = {};
	for (const field of AUDIT_FILTER_FIELDS) {
		const value = params.get(field);
		if (value !== null) requested[field] = value;
	}
	const problems = auditFilterProblems(requested);
	const usable = { ...requested };
	for (const field of Object.keys(problems)) delete usable[field];
	// An inverted range is reported on `to` but both ends are dropped.
	if (problems.to === 'audit_error_date_order') delete usable.from;
	const parsed = auditFilters.safeParse(usable);
	const filters: AuditFilters = {};
	if (parsed.success)
		for (const field of AUDIT_FILTER_FIELDS) {
			const value = parsed.data[field];
			if (value) filters[field] = value;
		}
	return { filters, problems };
}

export function filterQuery(filters: AuditFilters): string {
	const params = new URLSearchParams();
	for (const field of AUDIT_FILTER_FIELDS) {
		const value = filters[field];
		if (value) params.set(field, value);
	}
	return params.toString();
}
