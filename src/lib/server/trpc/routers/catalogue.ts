import { byId, capabilityProcedure, router, service } from '../init';
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

const read = 'catalogue.read';
const manage = 'catalogue.manage';

export const catalogueRouter = router({
	standards: capabilityProcedure(read).query(({ ctx }) =>
		standards.listStandards(ctx.app.db, ctx.actor)
	),
	standard: service(read, standardIdInput).query(byId(standards.getStandard)),
	createStandard: service(manage, createStandardInput).mutation(standards.createStandard),
	updateStandard: service(manage, updateStandardInput).mutation((db, actor, input) => {
		const { id, version, ...fields } = input;
		return standards.updateStandard(db, actor, id, version, fields);
	}),
	addClause: service(manage, addClauseInput).mutation((db, actor, { standardId, ...clause }) =>
		clauses.addClause(db, actor, standardId, clause)
	),
	updateClause: service(manage, updateClauseInput).mutation((db, actor, { id, ...titles }) =>
		clauses.updateClause(db, actor, id, titles)
	),
	previewClauseImport: service(manage, clauseImportInput).mutation((db, actor, input) =>
		clauseImport.previewClauseImport(db, actor, input.standardId, input.csv)
	),
	importClauses: service(manage, clauseImportInput).mutation((db, actor, input) =>
		clauseImport.importClauses(db, actor, input.standardId, input.csv)
	),
	gradeScales: capabilityProcedure(read).query(({ ctx }) =>
		gradeScales.listGradeScales(ctx.app.db, ctx.actor)
	),
	gradeScale: service(read, gradeScaleIdInput).query(byId(gradeScales.getGradeScale)),
	createGradeScale: service(manage, gradeScaleInput).mutation(gradeScales.createGradeScale),
	updateGradeScale: service(manage, updateGradeScaleInput).mutation((db, actor, { id, ...scale }) =>
		gradeScales.updateGradeScale(db, actor, id, scale)
	),
	updateSchemeRules: service(manage, updateSchemeRulesInput).mutation((db, actor, input) => {
		const { standardId, version, ...rules } = input;
		return schemeRules.updateSchemeRules(db, actor, standardId, version, rules);
	})
});
