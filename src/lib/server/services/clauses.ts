import type { AppDatabase } from '../db/tenant-scope';
import { scopeOf, type Actor } from '../actor';
import { clauseSortKey, parentClauseNumber } from '../domain/clause-csv';
import { badInput, notFound, Refusal } from '../errors';
import { refuseUniqueViolations } from '../db/errors';
import * as repo from '../repositories/catalogue';
import { authorize } from './authorize';
import { checked } from './catalogue-support';
import { auditAs } from './audit-entry';
import {
	clauseInput,
	clauseTitlesInput,
	type ClauseInput,
	type ClauseTitlesInput
} from './clauses.schema';

/* A standard's clauses, one at a time (the CSV import adds many: clause-import.ts). */

export type { ClauseInput, ClauseTitlesInput } from './clauses.schema';

const duplicateClause = (number: string) => () =>
	new Refusal('CONFLICT', 'catalogue_error_clause_taken', { number }, 'number');

/** `now`: when it happens (the demo loads its past); unset, the database's clock. */
export function addClause(
	db: AppDatabase,
	actor: Actor,
	standardId: string,
	input: ClauseInput,
	now?: Date
) {
	authorize(actor, 'catalogue.manage');
	const clause = checked(clauseInput, input);
	return db
		.inTenant(scopeOf(actor), async (tx) => {
			if (!(await repo.findStandard(tx, standardId, { forUpdate: true }))) throw notFound();
			if (await repo.findClauseByNumber(tx, standardId, clause.number))
				throw duplicateClause(clause.number)();
			const parentNumber = parentClauseNumber(clause.number);
			const parent = parentNumber
				? await repo.findClauseByNumber(tx, standardId, parentNumber)
				: undefined;
			if (parentNumber && !parent)
				throw badInput('number', 'catalogue_error_clause_parent_missing', {
					number: clause.number,
					parent: parentNumber
				});
			const [row] = await repo.insertClauses(tx, [
				{
					tenantId: actor.tenantId,
					standardId,
					parentId: parent?.id ?? null,
					number: clause.number,
					titleZh: clause.titleZh,
					titleEn: clause.titleEn,
					sortKey: clauseSortKey(clause.number)
				}
			]);
			if (!row) throw new Error('the clause insert returned no row');
			await auditAs(tx, actor, 'clause.create', 'clause', row.id, {
				after: {
					standardId,
					number: clause.number,
					titleZh: clause.titleZh,
					titleEn: clause.titleEn
				},
				at: now
			});
			return row;
		})
		.catch(
			refuseUniqueViolations({
				clauses_tenant_id_standard_id_number_key: duplicateClause(clause.number)
			})
		);
}

/** A clause's titles; its number is fixed once created (findings cite it). */
export function updateClause(db: AppDatabase, actor: Actor, id: string, input: ClauseTitlesInput) {
	authorize(actor, 'catalogue.manage');
	const titles = checked(clauseTitlesInput, input);
	return db.inTenant(scopeOf(actor), async (tx) => {
		const before = await repo.findClause(tx, id);
		if (!before) throw notFound();
		const after = await repo.updateClauseTitles(tx, id, titles);
		await auditAs(tx, actor, 'clause.update', 'clause', id, {
			before: { number: before.number, titleZh: before.title_zh, titleEn: before.title_en },
			after: { number: after.number, titleZh: after.title_zh, titleEn: after.title_en }
		});
		return after;
	});
}
