import { sql, type ExpressionBuilder, type JoinBuilder, type SelectQueryBuilder } from 'kysely';
import type { Database } from '../../../../db/schema';

/*
 * Every tenant-owned table's key starts with `tenant_id`, and every foreign key includes it, so
 * each join between two such tables matches both columns. Written once here; a query says
 * `.innerJoin('evaluations', tenantJoin('evaluations', 'findings.evaluation_id'))`.
 */

type TenantTable = {
	[T in keyof Database]: Database[T] extends { tenant_id: unknown; id: unknown } ? T : never;
}[keyof Database];

type TenantColumn = {
	[T in TenantTable]: `${T}.${keyof Database[T] & string}`;
}[TenantTable];

/** Tables with a `tenant_id`, keyed or not (a team member row has no id of its own). */
type TenantOwnedTable = {
	[T in keyof Database]: Database[T] extends { tenant_id: unknown } ? T : never;
}[keyof Database];

type TenantOwnedColumn = {
	[T in TenantOwnedTable]: `${T}.${keyof Database[T] & string}`;
}[TenantOwnedTable];

/** `<table>.tenant_id = <from>.tenant_id and <table>.id = <from>.<column>`. */
export function tenantJoin<DB, TB extends keyof DB>(table: TenantTable, foreignKey: TenantColumn) {
	// The column names are checked against the schema by the parameter types above.
	return tenantJoinAs<DB, TB>(table, foreignKey);
}

/** The same join, when `table`'s column points at `from`'s id: `<from>.id = <table>.<column>`. */
export function tenantJoinBack<DB, TB extends keyof DB>(
	table: TenantTable,
	column: TenantColumn,
	from: TenantTable
) {
	return (join: JoinBuilder<DB, TB>) =>
		join
			.onRef(`${table}.tenant_id` as never, '=', `${from}.tenant_id` as never)
			.onRef(column as never, '=', `${from}.id` as never);
}

/**
 * The same join to a table read under an alias (`grade_levels as to_grade`), or from an aliased
 * or non-key column: the types above name only tables and their columns, so these are unchecked.
 */
export function tenantJoinAs<DB, TB extends keyof DB>(alias: string, foreignKey: string) {
	const from = foreignKey.slice(0, foreignKey.indexOf('.'));
	// Kysely's builder cannot see column names through the template, hence `never`.
	return (join: JoinBuilder<DB, TB>) =>
		join
			.onRef(`${alias}.tenant_id` as never, '=', `${from}.tenant_id` as never)
			.onRef(`${alias}.id` as never, '=', foreignKey as never);
}

/**
 * The rows of `table` whose `column` holds `key` of the outer query's row, in the same tenant: a
 * correlated subquery (a count, a lead, an existence) to select from, e.g.
 * `tenantRowsOf(eb, 'clauses', 'clauses.standard_id', 'standards.id')`.
 */
export function tenantRowsOf<TB extends keyof Database, T extends TenantOwnedTable>(
	eb: ExpressionBuilder<Database, TB>,
	table: T,
	column: TenantOwnedColumn,
	key: TenantOwnedColumn
): SelectQueryBuilder<Database, TB | T, object> {
	const outer = key.slice(0, key.indexOf('.'));
	// As above: the builder cannot follow the column names through the templates.
	return (eb.selectFrom(table as TenantOwnedTable) as SelectQueryBuilder<Database, never, object>)
		.whereRef(`${table}.tenant_id` as never, '=', `${outer}.tenant_id` as never)
		.whereRef(column as never, '=', key as never) as never;
}

/** How many rows of `table` hold `key` of the outer row in `column` (tenantRowsOf, counted). */
export function tenantCountOf<TB extends keyof Database, T extends TenantOwnedTable>(
	eb: ExpressionBuilder<Database, TB>,
	table: T,
	column: TenantOwnedColumn,
	key: TenantOwnedColumn
) {
	return tenantRowsOf(eb, table, column, key).select(sql<string>`count(*)`.as('n'));
}
