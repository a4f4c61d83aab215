import { TRPCError } from '@trpc/server';
import { Refusal } from '../../src/lib/server/errors';

/**
 * What a tRPC call was refused with: its code, and the refusal's message key and field (for an
 * error that is not a domain refusal, its message as the key). Fails when the call succeeds.
 */
export async function refusalOf(call: Promise<unknown>) {
	try {
		await call;
	} catch (error) {
		if (!(error instanceof TRPCError)) throw error;
		const cause = error.cause;
		return cause instanceof Refusal
			? { code: error.code, key: cause.messageKey, field: cause.field }
			: { code: error.code, key: error.message, field: undefined };
	}
	throw new Error('expected the call to be refused');
}
