/*
 * The query parameter of each list's input field (`{ search: 'q', cursor: 'after', … }`): one
 * home for the names a list page reads, its links write and its export reads, so the export of a
 * filtered view keeps exactly the filter the page shows.
 */

export const FINDING_QUERY = {
	status: 'status',
	grade: 'grade',
	kind: 'kind',
	standardId: 'standard',
	organisationId: 'organisation',
	evaluationId: 'evaluation',
	clauseId: 'clause',
	overdue: 'overdue',
	unclosed: 'unclosed',
	dueFrom: 'due_from',
	dueTo: 'due_to',
	search: 'q',
	sort: 'sort',
	cursor: 'after'
} as const;

export const EVALUATION_QUERY = {
	status: 'status',
	kind: 'kind',
	search: 'q',
	sort: 'sort',
	cursor: 'after'
} as const;

export const CERTIFICATE_QUERY = {
	status: 'status',
	standardId: 'standard',
	search: 'q',
	sort: 'sort',
	cursor: 'after'
} as const;

export const ORGANISATION_QUERY = { search: 'q', sort: 'sort', cursor: 'after' } as const;

export const OBLIGATION_QUERY = { organisationId: 'organisation' } as const;
