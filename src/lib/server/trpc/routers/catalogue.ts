import { router, capabilityProcedure } from '../init';
import * as standards from '../../services/standards';
import * as clauses from '../../services/clauses';
import * as clauseImport from '../../services/clause-import';
import * as gradeScales from '../../services/grade-scales';
import * as schemeRules from '../../services/scheme-rules';
import {
	createStandardInput,
	standardIdInput,
	updateStandardInput
} from '../../services/standards.schema';
import { addClauseInput, updateClauseInput } from '../../services/clauses.schema';
import { clauseImportInput } from '../../services/clause-import.schema';
import {
	gradeScaleIdInput,
	gradeScaleInput,
	updateGradeScaleInput
} from '../../services/grade-scales.schema';
import { updateSchemeRulesInput } from '../../services/scheme-rules.schema';

/* The catalogue: the body's staff read it (evaluators cite its clauses); its keepers change it. */

const read = capabilityProcedure('catalogue.read');
const manage = capabilityProcedure('catalogue.manage');

export const catalogueRouter = router({
	standards: read.query(({ ctx }) => standards.listStandards(ctx.app.db, ctx.actor)),

	standard: read
		.input(standardIdInput)
		.query(({ ctx, input }) => standards.getStandard(ctx.app.db, ctx.actor, input.id)),

	createStandard: manage
		.input(createStandardInput)
		.mutation(({ ctx, input }) => standards.createStandard(ctx.app.db, ctx.actor, input)),

	updateStandard: manage
		.input(updateStandardInput)
		.mutation(({ ctx, input: { id, version, ...fields } }) =>
			standards.updateStandard(ctx.app.db, ctx.actor, id, version, fields)
		),

	addClause: manage
		.input(addClauseInput)
		.mutation(({ ctx, input: { standardId, ...clause } }) =>
			clauses.addClause(ctx.app.db, ctx.actor, standardId, clause)
		),

	updateClause: manage
		.input(updateClauseInput)
		.mutation(({ ctx, input: { id, ...titles } }) =>
			clauses.updateClause(ctx.app.db, ctx.actor, id, titles)
		),

	previewClauseImport: manage
		.input(clauseImportInput)
		.mutation(({ ctx, input }) =>
			clauseImport.previewClauseImport(ctx.app.db, ctx.actor, input.standardId, input.csv)
		),

	importClauses: manage
		.input(clauseImportInput)
		.mutation(({ ctx, input }) =>
			clauseImport.importClauses(ctx.app.db, ctx.actor, input.standardId, input.csv)
		),

	gradeScales: read.query(({ ctx }) => gradeScales.listGradeScales(ctx.app.db, ctx.actor)),

	gradeScale: read
		.input(gradeScaleIdInput)
		.query(({ ctx, input }) => gradeScales.getGradeScale(ctx.app.db, ctx.actor, input.id)),

	createGradeScale: manage
		.input(gradeScaleInput)
		.mutation(({ ctx, input }) => gradeScales.createGradeScale(ctx.app.db, ctx.actor, input)),

	updateGradeScale: manage
		.input(updateGradeScaleInput)
		.mutation(({ ctx, input: { id, ...scale } }) =>
			gradeScales.updateGradeScale(ctx.app.db, ctx.actor, id, scale)
		),

	updateSchemeRules: manage
		.input(updateSchemeRulesInput)
		.mutation(({ ctx, input: { standardId, version, ...rules } }) =>
			schemeRules.updateSchemeRules(ctx.app.db, ctx.actor, standardId, version, rules)
		)
});
