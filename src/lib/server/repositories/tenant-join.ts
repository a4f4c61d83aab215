import type { JoinBuilder } from 'kysely';
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
