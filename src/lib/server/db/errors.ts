/**
 * The unique constraint a database error violated, or null. Both drivers report SQLSTATE 23505;
 * node-postgres and PGlite name the constraint `constraint` (postgres.js said `constraint_name`).
 */
export function violatedUniqueConstraint(error: unknown): string | null {
	if (typeof error !== 'object' || error === null) return null;
	const fields = error as { code?: string; constraint_name?: string; constraint?: string };
	if (fields.code !== '23505') return null;
	return fields.constraint_name ?? fields.constraint ?? '';
}

/**
 * Turns a unique violation into the refusal a concurrent loser should see (two people saving the
 * same code at once: the check before the insert passed for both, the constraint stopped one).
 */
export function refuseUniqueViolations(refusals: Record<string, () => Error>) {
	return (error: unknown): never => {
		const constraint = violatedUniqueConstraint(error);
		const refusal = constraint !== null ? refusals[constraint] : undefined;
		throw refusal ? refusal() : error;
	};
}
