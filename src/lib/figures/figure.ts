/*
 * A figure as the chart component draws it and its table lists it: categories along one axis,
 * one or more series of numbers, and for each bar where clicking it leads (or nothing).
 */

export interface FigureSeries {
	name: string;
	values: (number | null)[];
	/** Per category: the list the bar counts, or null when no list filters to it. */
	links?: (string | null)[];
	color: string;
}

export interface Figure {
	categories: string[];
	series: FigureSeries[];
	/** Bars along the horizontal axis: for long category names (clauses, organisations). */
	horizontal?: boolean;
	/** Series stacked into one bar per category. */
	stacked?: boolean;
	/** Draw the series as lines (a trend over months). */
	lines?: boolean;
}

/** The figures' colours: one meaning, one colour, on every chart. */
export const COLOURS = {
	open: '#2563eb',
	overdue: '#dc2626',
	planned: '#94a3b8',
	done: '#16a34a',
	mean: '#2563eb',
	p90: '#f59e0b',
	count: '#7c3aed',
	grades: ['#b45309', '#d97706', '#f59e0b', '#fbbf24', '#fde68a', '#64748b']
} as const;

/** Whether a figure has anything to draw. */
export const isEmpty = (figure: Figure) =>
	figure.categories.length === 0 ||
	figure.series.every((series) => series.values.every((value) => !value));
