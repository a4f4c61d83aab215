import { describe, it, expect } from 'vitest';
import type { Role } from '../../db/schema';
import {
	ALL_ROLES,
	CB_ROLES,
	NO_ORGANISATION,
	ORG_ROLES,
	isCbStaff,
	isOrgUser,
	isRole,
	roleNeedsOrganisation,
	seesAllOrganisations
} from '../../src/lib/server/domain/roles';
import { can, mayEver } from '../../src/lib/server/domain/permissions';

/** Giving a role is the `people.grant` capability (domain/permissions.ts). */
const mayGrantRole = (
	actor: { role: Role; organisationId: string | null },
	grant: { role: Role; organisationId: string | null }
) => can(actor, 'people.grant', grant);

const ROLES: Role[] = ['admin', 'evaluator', 'decision_maker', 'org_admin', 'org_member'];

const ORG_A = '11111111-1111-1111-1111-111111111111';
const ORG_B = '22222222-2222-2222-2222-222222222222';

describe('role lists', () => {
	it('CB_ROLES are the certification body staff roles', () => {
		expect([...CB_ROLES]).toEqual(['admin', 'evaluator', 'decision_maker']);
	});

	it('ORG_ROLES are the organisation roles', () => {
		expect([...ORG_ROLES]).toEqual(['org_admin', 'org_member']);
	});

	it('ALL_ROLES holds every role exactly once', () => {
		expect([...ALL_ROLES].sort()).toEqual([...ROLES].sort());
		expect(new Set(ALL_ROLES).size).toBe(ALL_ROLES.length);
	});

	it('NO_ORGANISATION is the nil UUID', () => {
		expect(NO_ORGANISATION).toBe('00000000-0000-0000-0000-000000000000');
	});
});

describe('per-role predicates', () => {
	// role, isCbStaff, isOrgUser, roleNeedsOrganisation, seesAllOrganisations
	const table: [Role, boolean, boolean, boolean, boolean][] = [
		['admin', true, false, false, true],
		['evaluator', true, false, false, true],
		['decision_maker', true, false, false, true],
		['org_admin', false, true, true, false],
		['org_member', false, true, true, false]
	];

	it('the table covers every role', () => {
		expect(table.map(([role]) => role).sort()).toEqual([...ROLES].sort());
	});

	it.each(table)(
		'%s: isCbStaff=%s, isOrgUser=%s, roleNeedsOrganisation=%s, seesAllOrganisations=%s',
		(role, cbStaff, orgUser, needsOrganisation, seesAll) => {
			expect(isCbStaff(role)).toBe(cbStaff);
			expect(isOrgUser(role)).toBe(orgUser);
			expect(roleNeedsOrganisation(role)).toBe(needsOrganisation);
			expect(seesAllOrganisations(role)).toBe(seesAll);
			expect(mayEver({ role }, 'organisation.readAll')).toBe(seesAll);
			expect(isRole(role)).toBe(true);
		}
	);

	it.each(ROLES)('%s is either CB staff or an organisation user, never both', (role) => {
		expect(isCbStaff(role) !== isOrgUser(role)).toBe(true);
	});
});

describe('isRole', () => {
	it.each(ROLES)('accepts %s', (value) => {
		expect(isRole(value)).toBe(true);
	});

	it.each([
		'',
		'Admin',
		'ADMIN',
		' admin',
		'admin ',
		'org-admin',
		'orgAdmin',
		'org_admins',
		'superuser',
		'owner',
		'member',
		'null',
		'undefined',
		'toString',
		'constructor',
		'__proto__'
	])('rejects %j', (value) => {
		expect(isRole(value)).toBe(false);
	});
});

describe('people.grant', () => {
	type Target = 'own' | 'other' | 'none';
	const actorOrganisation = (role: Role) => (isOrgUser(role) ? ORG_A : null);
	const targetOrganisation: Record<Target, string | null> = {
		own: ORG_A,
		other: ORG_B,
		none: null
	};

	// Every permitted combination, spelled out: actor → granted role @ organisation of the grant.
	const ALLOWED = new Set([
		'admin→admin@own',
		'admin→admin@other',
		'admin→admin@none',
		'admin→evaluator@own',
		'admin→evaluator@other',
		'admin→evaluator@none',
		'admin→decision_maker@own',
		'admin→decision_maker@other',
		'admin→decision_maker@none',
		'admin→org_admin@own',
		'admin→org_admin@other',
		'admin→org_admin@none',
		'admin→org_member@own',
		'admin→org_member@other',
		'admin→org_member@none',
		'org_admin→org_admin@own',
		'org_admin→org_member@own'
	]);

	const cases: [string, Role, Role, Target, boolean][] = [];
	for (const actor of ROLES)
		for (const granted of ROLES)
			for (const target of ['own', 'other', 'none'] as Target[]) {
				const key = `${actor}→${granted}@${target}`;
				cases.push([key, actor, granted, target, ALLOWED.has(key)]);
			}

	it('covers all 5 × 5 × 3 combinations', () => {
		expect(cases).toHaveLength(75);
		expect(cases.filter(([, , , , allowed]) => allowed)).toHaveLength(ALLOWED.size);
	});

	it.each(cases)('%s → %s', (_key, actor, granted, target, allowed) => {
		expect(
			mayGrantRole(
				{ role: actor, organisationId: actorOrganisation(actor) },
				{ role: granted, organisationId: targetOrganisation[target] }
			)
		).toBe(allowed);
	});

	it('a CB admin may grant any role whatever its own organisation field says', () => {
		for (const granted of ROLES) {
			expect(
				mayGrantRole(
					{ role: 'admin', organisationId: ORG_A },
					{ role: granted, organisationId: ORG_B }
				)
			).toBe(true);
		}
	});

	it('an organisation admin without an organisation cannot grant for a real organisation', () => {
		expect(
			mayGrantRole(
				{ role: 'org_admin', organisationId: null },
				{ role: 'org_member', organisationId: ORG_A }
			)
		).toBe(false);
	});

	it('an organisation admin cannot grant CB roles even within their own organisation', () => {
		for (const granted of CB_ROLES) {
			expect(
				mayGrantRole(
					{ role: 'org_admin', organisationId: ORG_A },
					{ role: granted, organisationId: ORG_A }
				)
			).toBe(false);
		}
	});

	it('evaluators, decision makers and organisation members grant nothing', () => {
		for (const actor of ['evaluator', 'decision_maker', 'org_member'] as Role[])
			for (const granted of ROLES)
				for (const organisationId of [ORG_A, ORG_B, null])
					expect(
						mayGrantRole({ role: actor, organisationId: ORG_A }, { role: granted, organisationId })
					).toBe(false);
	});
});
