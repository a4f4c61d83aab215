import { initTRPC, TRPCError } from '@trpc/server';
import superjson from 'superjson';
import { ZodError } from 'zod';
import * as zodLocales from 'zod/v4/locales';
import type { Role } from '../../../../db/schema';
import type { TrpcContext } from './context';
import type { Actor } from '../actor';
import { isCbStaff, isOrgUser } from '../domain/roles';
import { Refusal } from '../errors';
import { hasMessage, translate } from '../i18n/translate';

const zodMessages = {
	'zh-CN': zodLocales.zhCN().localeError,
	en: zodLocales.en().localeError
};

type ZodIssue = ZodError['issues'][number];

/** One message per field, in the user's language; our own refinements carry message keys. */
function fieldMessages(issues: ZodIssue[], locale: TrpcContext['locale']) {
	const fields: Record<string, string> = {};
	for (const issue of issues) {
		const field = issue.path.join('.') || '_';
		if (fields[field]) continue;
		const localised = hasMessage(issue.message)
			? translate(issue.message, locale)
			: zodMessages[locale]?.(issue as never);
		fields[field] =
			typeof localised === 'string' ? localised : (localised?.message ?? issue.message);
	}
	return fields;
}

const t = initTRPC.context<TrpcContext>().create({
	transformer: superjson,
	errorFormatter({ shape: fullShape, error, ctx }) {
		const locale = ctx?.locale ?? 'zh-CN';
		const cause = error.cause;
		// Stack traces stay in the server's log.
		const { stack: _stack, ...data } = fullShape.data;
		const shape = { ...fullShape, data };
		if (cause instanceof ZodError) {
			const fields = fieldMessages(cause.issues, locale);
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

/** Certification-body staff holding one of `roles` (every CB role when none is given). */
export function staffProcedure(...roles: Role[]) {
	return tenantProcedure.use(({ ctx, next }) => {
		const role = ctx.actor.role;
		if (!isCbStaff(role) || (roles.length > 0 && !roles.includes(role))) refuse(ctx.locale);
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
