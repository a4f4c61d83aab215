import { router, signedInProcedure, memberProcedure } from '../init';
import { chooseTenant, listTenantsOf } from '../../services/sessions';
import { Refusal } from '../../errors';
import { chooseTenantInput } from '../../services/sessions.schema';

export const authRouter = router({
	/** Who is signed in, acting as what, in which tenant. */
	me: memberProcedure.query(({ ctx }) => {
		const { actor } = ctx;
		return {
			email: actor.email,
			name: actor.name,
			role: actor.role,
			organisation: actor.organisationId
				? { id: actor.organisationId, name: actor.organisationName }
				: null,
			tenant: { slug: actor.tenant.slug, name: actor.tenant.name }
		};
	}),

	/** The tenants the person holds memberships in, to pick one. */
	tenants: signedInProcedure.query(async ({ ctx }) => {
		const memberships = await listTenantsOf(ctx.app.db, ctx.person.userId);
		return memberships.map((m) => ({
			tenantId: m.tenant_id,
			slug: m.slug,
			name: m.tenant_name,
			role: m.role,
			current: m.tenant_id === ctx.person.tenantId
		}));
	}),

	chooseTenant: signedInProcedure.input(chooseTenantInput).mutation(async ({ ctx, input }) => {
		if (!(await chooseTenant(ctx.app.db, ctx.person, input.tenantId)))
			throw new Refusal('FORBIDDEN', 'error_not_a_member', {}, 'tenantId');
		return { ok: true };
	})
});
