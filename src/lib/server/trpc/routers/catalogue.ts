import { z } from 'zod';
import { router, staffProcedure } from '../init';
import * as catalogue from '../../services/catalogue';
import { id, version } from '../inputs';

/* The catalogue: every CB role reads it (evaluators cite its clauses); only admins change it. */

const csv = z.string().max(4_000_000, { error: 'catalogue_csv_too_large' });

export const catalogueRouter = router({
	standards: staffProcedure().query(({ ctx }) => catalogue.listStandards(ctx.app.db, ctx.actor)),

	standard: staffProcedure()
		.input(z.object({ id }))
		.query(({ ctx, input }) => catalogue.getStandard(ctx.app.db, ctx.actor, input.id)),

	createStandard: staffProcedure('admin')
		.input(catalogue.standardInput)
		.mutation(({ ctx, input }) => catalogue.createStandard(ctx.app.db, ctx.actor, input)),

	updateStandard: staffProcedure('admin')
		.input(catalogue.standardInput.extend({ id, version }))
		.mutation(({ ctx, input: { id, version, ...fields } }) =>
			catalogue.updateStandard(ctx.app.db, ctx.actor, id, version, fields)
		),

	addClause: staffProcedure('admin')
		.input(catalogue.clauseInput.extend({ standardId: id }))
		.mutation(({ ctx, input: { standardId, ...clause } }) =>
			catalogue.addClause(ctx.app.db, ctx.actor, standardId, clause)
		),

	updateClause: staffProcedure('admin')
		.input(catalogue.clauseTitlesInput.extend({ id }))
		.mutation(({ ctx, input: { id, ...titles } }) =>
			catalogue.updateClause(ctx.app.db, ctx.actor, id, titles)
		),

	previewClauseImport: staffProcedure('admin')
		.input(z.object({ standardId: id, csv }))
		.mutation(({ ctx, input }) =>
			catalogue.previewClauseImport(ctx.app.db, ctx.actor, input.standardId, input.csv)
		),

	importClauses: staffProcedure('admin')
		.input(z.object({ standardId: id, csv }))
		.mutation(({ ctx, input }) =>
			catalogue.importClauses(ctx.app.db, ctx.actor, input.standardId, input.csv)
		),

	gradeScales: staffProcedure().query(({ ctx }) =>
		catalogue.listGradeScales(ctx.app.db, ctx.actor)
	),

	gradeScale: staffProcedure()
		.input(z.object({ id }))
		.query(({ ctx, input }) => catalogue.getGradeScale(ctx.app.db, ctx.actor, input.id)),

	createGradeScale: staffProcedure('admin')
		.input(catalogue.gradeScaleInput)
		.mutation(({ ctx, input }) => catalogue.createGradeScale(ctx.app.db, ctx.actor, input)),

	updateGradeScale: staffProcedure('admin')
		.input(z.object({ id, scale: catalogue.gradeScaleInput }))
		.mutation(({ ctx, input }) =>
			catalogue.updateGradeScale(ctx.app.db, ctx.actor, input.id, input.scale)
		),

	updateSchemeRules: staffProcedure('admin')
		.input(
			z.object({
				standardId: id,
				version: z.int().min(0),
				rules: catalogue.schemeRulesInput
			})
		)
		.mutation(({ ctx, input }) =>
			catalogue.updateSchemeRules(
				ctx.app.db,
				ctx.actor,
				input.standardId,
				input.version,
				input.rules
			)
		)
});
