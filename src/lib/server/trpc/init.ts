import { initTRPC, TRPCError } from '@trpc/server';
import superjson from 'superjson';
import { ZodError } from 'zod';
import type { TrpcContext } from './context';
import type { Actor } from '../actor';
import { isOrgUser } from '../domain/roles';
import { mayEver, type Capability } from '../domain/permissions';
import { Refusal } from '../errors';
import { translate } from '../i18n/translate';
import { fieldErrors } from '../i18n/field-errors';
import { isDatabaseUnavailable } from '../db/unavailable';

const t = initTRPC.context<TrpcContext>().create({
	transformer: superjson,
	errorFormatter({ shape: fullShape, error, ctx }) {
		const locale = ctx?.locale ?? 'zh-CN';
		const cause = error.cause;
		// Stack traces stay in the server's log.
		const { stack: _stack, ...data } = fullShape.data;
		const shape = { ...fullShape, data };
		if (cause instanceof ZodError) {
			const fields = fieldErrors(cause, locale);
			return {
				...shape,
				message: translate('error_invalid_input', locale),
				data: { ...shape.data, fields }
			};
		}
		if (cause instanceof Refusal) {
			const message = translate(cause.messageKey, locale, cause.params);
			return {
				...shape,
				message,
				data: {
					...shape.data,
					fields: cause.field ? { [cause.field]: message } : undefined
				}
			};
		}
		if (shape.data.code === 'SERVICE_UNAVAILABLE')
			return { ...shape, message: translate('error_database_unavailable', locale) };
		if (shape.data.code === 'INTERNAL_SERVER_ERROR')
			return {
				...shape,
				message: translate('error_internal', locale)
			};
		return shape;
	}
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

/** Services throw Refusals; tRPC clients see them with the matching code. */
const refusalsAsErrors = t.middleware(async ({ next }) => {
	const result = await next();
	if (!result.ok && result.error.cause instanceof Refusal)
		throw new TRPCError({ code: result.error.cause.kind, cause: result.error.cause });
	// A lost or unreachable database is "try again" (503), not a server fault.
	if (!result.ok && isDatabaseUnavailable(result.error))
		throw new TRPCError({ code: 'SERVICE_UNAVAILABLE', cause: result.error });
	return result;
});

/** Anyone, signed in or not. */
export const publicProcedure = t.procedure.use(refusalsAsErrors);

/** A signed-in person, whether or not they have chosen a tenant yet. */
export const signedInProcedure = publicProcedure.use(({ ctx, next }) => {
	if (!ctx.person)
		throw new TRPCError({
			code: 'UNAUTHORIZED',
			message: translate('error_signed_out', ctx.locale)
		});
	return next({ ctx: { ...ctx, person: ctx.person } });
});

/** A person acting in a tenant through a membership. */
const tenantProcedure = signedInProcedure.use(({ ctx, next }) => {
	if (!ctx.actor)
		throw new TRPCError({ code: 'FORBIDDEN', message: translate('error_no_tenant', ctx.locale) });
	return next({ ctx: { ...ctx, actor: ctx.actor as Actor } });
});

function refuse(locale: TrpcContext['locale']): never {
	throw new TRPCError({ code: 'FORBIDDEN', message: translate('error_forbidden', locale) });
}

/**
 * Someone whose role may hold `capability` (domain/permissions.ts); the service then checks the
 * capability against the thing acted on (team membership, the finding's status …).
 */
export function capabilityProcedure(capability: Capability) {
	return tenantProcedure.use(({ ctx, next }) => {
		if (!mayEver(ctx.actor, capability)) refuse(ctx.locale);
		return next({ ctx });
	});
}

/** A user of a certified organisation; the actor carries their organisation. */
export const organisationProcedure = tenantProcedure.use(({ ctx, next }) => {
	if (!isOrgUser(ctx.actor.role) || !ctx.actor.organisationId) refuse(ctx.locale);
	return next({
		ctx: { ...ctx, actor: { ...ctx.actor, organisationId: ctx.actor.organisationId as string } }
	});
});

/** Anyone acting in a tenant; the service decides what their role sees. */
export const memberProcedure = tenantProcedure;
