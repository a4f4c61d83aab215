import { z } from 'zod';
import { blankAsUndefined, isoDate } from './common.schema';

/*
 * The period of the body's figures and its management review (`?from=&to=`): two dates, either
 * left out for the default (the last twelve months up to today). The order and the longest span
 * are the domain's rule (domain/figures.ts `periodProblem`), checked by the service.
 */
export const figuresPeriodInput = z
	.object({
		from: blankAsUndefined(isoDate('figures_error_date_invalid')),
		to: blankAsUndefined(isoDate('figures_error_date_invalid'))
	})
	.default({});
export type FiguresPeriodInput = z.output<typeof figuresPeriodInput>;
