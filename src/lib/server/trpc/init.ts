import { initTRPC, TRPCError } from '@trpc/server';
import superjson from 'superjson';
import { ZodError, type z } from 'zod';
import type { TrpcContext } from './context';
import type { Actor } from '../actor';
import type { AppDatabase } from '../db/tenant-scope';
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
 * Who may call a procedure: anyone acting in the tenant (`'member'`: the service decides what
 * their role sees), or someone whose role may hold the capability.
 */
export type Gate = Capability | 'member';

function gated(gate: Gate) {
	return tenantProcedure.use(({ ctx, next }) => {
		if (gate !== 'member' && !mayEver(ctx.actor, gate)) refuse(ctx.locale);
		return next({ ctx });
	});
}

/**
 * Someone whose role may hold `capability` (domain/permissions.ts); the service then checks the
 * capability against the thing acted on (team membership, the finding's status …).
 */
export function capabilityProcedure(capability: Capability) {
	return gated(capability);
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

/**
 * One use case: its input as the schema parsed it, handed on with the database and the actor.
 * `Result` is what the client receives (the promise unwrapped, as tRPC's own resolvers infer it).
 */
type ServiceCall<Schema extends z.ZodType, Result> = (
	db: AppDatabase,
	actor: Actor,
	input: z.output<Schema>
) => Promise<Result> | Result;

/**
 * Most procedures are the gate, the use case's schema and one service call (STYLE.md: the router
 * holds nothing else): `service(gate, schema).query(call)` says exactly that. Procedures that
 * shape their answer or use another gate (signed-in, organisation users) are written out.
 */
export function service<Schema extends z.ZodType>(gate: Gate, schema: Schema) {
	const procedure = gated(gate).input(schema);
	return {
		query: <Result>(call: ServiceCall<Schema, Result>) =>
			procedure.query(({ ctx, input }) => call(ctx.app.db, ctx.actor, input as z.output<Schema>)),
		mutation: <Result>(call: ServiceCall<Schema, Result>) =>
			procedure.mutation(({ ctx, input }) => call(ctx.app.db, ctx.actor, input as z.output<Schema>))
	};
}

/** The many use cases that take the id of one thing, called with the `{ id }` their schema parses. */
export function byId<Result>(call: (db: AppDatabase, actor: Actor, id: string) => Result) {
	return (db: AppDatabase, actor: Actor, input: { id: string }) => call(db, actor, input.id);
}
