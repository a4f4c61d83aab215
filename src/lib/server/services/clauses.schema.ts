import { z } from 'zod';
import { id, requiredText, text } from './common.schema';
import {
	CLAUSE_TITLE_MAX_LENGTH,
	clauseNumberProblem,
	normaliseClauseNumber
} from '../domain/clause-csv';

/* The inputs of the clause use cases; the tRPC procedures and the form actions both parse them. */

const titlesShape = {
	titleZh: requiredText(CLAUSE_TITLE_MAX_LENGTH),
	titleEn: text(CLAUSE_TITLE_MAX_LENGTH).default('')
};

/** Bounded loosely here; `clauseNumberProblem` names what is wrong with it. */
const number = text(1_000)
	.transform(normaliseClauseNumber)
	.superRefine((value, ctx) => {
		const problem = clauseNumberProblem(value);
		if (problem) ctx.addIssue({ code: 'custom', message: problem });
	});

/** A clause's titles; its number is fixed once created. */
export const clauseTitlesInput = z.object(titlesShape);
export type ClauseTitlesInput = z.input<typeof clauseTitlesInput>;

/** A new clause: its number and titles. */
export const clauseInput = z.object({ number, ...titlesShape });
export type ClauseInput = z.input<typeof clauseInput>;

/** A clause added to a standard. */
export const addClauseInput = z.object({ standardId: id, number, ...titlesShape });

/** A clause's titles changed. */
export const updateClauseInput = z.object({ id, ...titlesShape });
