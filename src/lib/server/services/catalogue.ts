/*
 * The catalogue's services, by what they work on. Import from the module itself; this index
 * keeps the names callers used before the split (demo data, older tests).
 */

export * from './standards';
export * from './clauses';
export * from './clause-import';
export * from './grade-scales';
export * from './scheme-rules';
export { createStandardInput as standardInput } from './standards.schema';
export { clauseInput, clauseTitlesInput } from './clauses.schema';
export { gradeScaleInput } from './grade-scales.schema';
export { schemeRulesInput } from './scheme-rules.schema';
