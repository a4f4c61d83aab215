import { m } from '$lib/paraglide/messages';
import { certificateStatusLabel } from '$lib/labels';
import { localTitle } from '$lib/finding-labels';
import type { BodyFigures, OrganisationFigures } from '$lib/server/services/figures';
import { COLOURS, type Figure } from './figure';
import { certificatesHref, findingsHref, openLink, overdueLink } from './links';

/*
 * The body's figures (services/figures.ts) as charts, in the current language: the same
 * figures on /reports, the dashboard and the management review.
 */

const gradeNames: Record<string, () => string> = {
	major: m.evaluations_grade_major,
	minor: m.evaluations_grade_minor
};

const findingStatusNames: Record<string, () => string> = {
	open: m.findings_status_open,
	response_submitted: m.findings_status_response_submitted,
	action_in_progress: m.findings_status_action_in_progress,
	evidence_submitted: m.findings_status_evidence_submitted,
	closed: m.findings_status_closed
};

const ageingNames: Record<string, () => string> = {
	'0-7': m.figures_ageing_0_7,
	'8-30': m.figures_ageing_8_30,
	'31-90': m.figures_ageing_31_90,
	'90+': m.figures_ageing_90
};

type OpenRow = { open: number; overdue: number };

/** Open and overdue bars for rows of one dimension, each linking to its list. */
function openAndOverdue<Row extends OpenRow>(
	rows: readonly Row[],
	name: (row: Row) => string,
	filter: (row: Row) => Record<string, string> | null,
	horizontal = false
): Figure {
	const links = (link: (f: Record<string, string>) => string) =>
		rows.map((row) => {
			const f = filter(row);
			return f ? link(f) : null;
		});
	return {
		categories: rows.map(name),
		horizontal,
		series: [
			{
				name: m.figures_series_open(),
				values: rows.map((row) => row.open),
				links: links(openLink),
				color: COLOURS.open
			},
			{
				name: m.figures_series_overdue(),
				values: rows.map((row) => row.overdue),
				links: links(overdueLink),
				color: COLOURS.overdue
			}
		]
	};
}

/** A clause's number first: where a narrow chart cuts a long name, the number stays. */
export const clauseName = (row: { number: string | null; standardCode: string }) =>
	`${row.number ?? m.figures_no_clause()} · ${row.standardCode}`;

/** Open and overdue nonconformities by grade. */
export const gradeChart = (rows: BodyFigures['byGrade']) =>
	openAndOverdue(
		rows,
		(row) => gradeNames[row.grade]?.() ?? row.grade,
		(row) => ({ grade: row.grade })
	);

/** Overdue nonconformities by how long overdue, each band linking to its due dates. */
export const ageingChart = (rows: BodyFigures['ageing']): Figure => ({
	categories: rows.map((row) => ageingNames[row.key]!()),
	series: [
		{
			name: m.figures_series_overdue(),
			values: rows.map((row) => row.count),
			links: rows.map((row) => overdueLink({ due_from: row.dueFrom ?? '', due_to: row.dueTo })),
			color: COLOURS.overdue
		}
	]
});

export function bodyCharts(f: BodyFigures) {
	const closeTimes = <Row extends { id: string; mean: number | null; p90: number | null }>(
		rows: readonly Row[],
		name: (row: Row) => string,
		link: ((row: Row) => string) | null
	): Figure => ({
		categories: rows.map(name),
		series: [
			{
				name: m.figures_series_mean(),
				values: rows.map((row) => row.mean),
				links: link ? rows.map(link) : undefined,
				color: COLOURS.mean
			},
			{
				name: m.figures_series_p90(),
				values: rows.map((row) => row.p90),
				links: link ? rows.map(link) : undefined,
				color: COLOURS.p90
			}
		]
	});
	const grades = [...new Set(f.certificates.map((row) => row.gradeCode ?? ''))];
	const statuses = [...new Set(f.certificates.map((row) => row.status))];
	return {
		byGrade: gradeChart(f.byGrade),
		byStandard: openAndOverdue(
			f.byStandard,
			(row) => row.code,
			(row) => ({ standard: row.id })
		),
		byClause: openAndOverdue(
			f.byClause,
			clauseName,
			(row) => (row.id ? { clause: row.id } : null),
			true
		),
		byOrganisation: openAndOverdue(
			f.byOrganisation,
			(row) => row.name,
			(row) => ({ organisation: row.id }),
			true
		),
		ageing: ageingChart(f.ageing),
		closeByStandard: closeTimes(
			f.closeByStandard,
			(row) => row.code,
			(row) => findingsHref({ kind: 'nonconformity', status: 'closed', standard: row.id })
		),
		closeByEvaluator: closeTimes(f.closeByEvaluator, (row) => row.name, null),
		evaluations: {
			categories: f.evaluationsByMonth.map((row) => row.month),
			series: [
				{
					name: m.figures_series_planned(),
					values: f.evaluationsByMonth.map((row) => row.planned),
					color: COLOURS.planned
				},
				{
					name: m.figures_series_done(),
					values: f.evaluationsByMonth.map((row) => row.done),
					color: COLOURS.done
				}
			]
		} satisfies Figure,
		certificates: {
			categories: statuses.map(certificateStatusLabel),
			stacked: true,
			series: grades.map((code, index) => {
				const sample = f.certificates.find((row) => (row.gradeCode ?? '') === code)!;
				return {
					name: sample.gradeZh ? localTitle(sample.gradeZh, sample.gradeEn) : m.figures_no_grade(),
					values: statuses.map(
						(status) =>
							f.certificates.find((row) => row.status === status && (row.gradeCode ?? '') === code)
								?.count ?? 0
					),
					links: statuses.map(certificatesHref),
					color: code ? COLOURS.grades[index % 5]! : COLOURS.grades[5]
				};
			})
		} satisfies Figure
	};
}

export type BodyCharts = ReturnType<typeof bodyCharts>;

/** An organisation's figures; `linked` when the reader may open the finding list (the body's staff). */
export function organisationCharts(f: OrganisationFigures, linked: boolean) {
	const organisation = f.organisationId;
	return {
		openByStatus: openAndOverdue(
			f.openByStatus,
			(row) => findingStatusNames[row.status]?.() ?? row.status,
			(row) => (linked ? { organisation, status: row.status } : null)
		),
		byClause: {
			categories: f.byClause.map(clauseName),
			horizontal: true,
			series: [
				{
					name: m.figures_series_raised(),
					values: f.byClause.map((row) => row.count),
					links: f.byClause.map((row) =>
						linked && row.id
							? findingsHref({ kind: 'nonconformity', organisation, clause: row.id })
							: null
					),
					color: COLOURS.count
				},
				{
					name: m.figures_series_open(),
					values: f.byClause.map((row) => row.open),
					links: f.byClause.map((row) =>
						linked && row.id ? openLink({ organisation, clause: row.id }) : null
					),
					color: COLOURS.open
				}
			]
		} satisfies Figure
	};
}
