/**
 * A refusal the user should read: a message key (messages/*.json) with its parameters, and the
 * form field it concerns. Services throw it; the tRPC layer and form actions translate it.
 */
export type RefusalKind = 'BAD_REQUEST' | 'UNAUTHORIZED' | 'FORBIDDEN' | 'NOT_FOUND' | 'CONFLICT';

export class Refusal extends Error {
	constructor(
		readonly kind: RefusalKind,
		readonly messageKey: string,
		readonly params: Record<string, string | number> = {},
		readonly field?: string
	) {
		super(messageKey);
		this.name = 'Refusal';
	}
}

export const notFound = (messageKey = 'error_not_found') => new Refusal('NOT_FOUND', messageKey);
export const forbidden = (messageKey = 'error_forbidden') => new Refusal('FORBIDDEN', messageKey);
export const badInput = (
	field: string,
	messageKey: string,
	params: Record<string, string | number> = {}
) => new Refusal('BAD_REQUEST', messageKey, params, field);
export const staleVersion = () => new Refusal('CONFLICT', 'error_stale_version');

/** A permission refusal (domain/permissions.ts) as the Refusal services throw. */
export function refusalOf(result: { ok: false; reason: string; kind: RefusalKind }): Refusal {
	return new Refusal(result.kind, result.reason);
}
