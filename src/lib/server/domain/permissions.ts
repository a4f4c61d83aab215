import type { FindingKind, FindingStatus, Role } from '../../../../db/schema';
import { CB_ROLES, isCbStaff, isOrgUser, ORG_ROLES } from './roles';

/*
 * Who may do what (SPEC §2), written once. Each capability names the roles that may ever hold it
 * and, where the answer depends on the thing acted on, a rule over that subject. Services enforce
 * `check`; tRPC procedure builders, form actions and page flags (which buttons show) ask the same
 * functions, so a page never offers what the service would refuse. No role literal lives outside
 * this module and `roles.ts`.
 */

/** The parts of an actor a permission reads. */
export interface PermissionActor {
	role: Role;
	userId?: string;
	/** Set for organisation users: the one organisation they belong to. */
	organisationId?: string | null;
}

/** A refusal as a message key (messages/*.json); services turn it into a FORBIDDEN refusal. */
export type PermissionResult =
	| { ok: true }
	| {
			ok: false;
			reason: string;
			/** FORBIDDEN by default; CONFLICT when the subject's state is why; NOT_FOUND to reveal nothing. */
			kind: 'FORBIDDEN' | 'CONFLICT' | 'NOT_FOUND';
	  };

const ALLOWED: PermissionResult = { ok: true };
const refused = (
	reason = 'error_forbidden',
	kind: 'FORBIDDEN' | 'CONFLICT' | 'NOT_FOUND' = 'FORBIDDEN'
): PermissionResult => ({ ok: false, reason, kind });

const ADMIN = ['admin'] as const satisfies readonly Role[];
const RUNNERS = ['admin', 'evaluator'] as const satisfies readonly Role[];
const DECIDERS = ['decision_maker'] as const satisfies readonly Role[];
const PEOPLE_KEEPERS = ['admin', 'org_admin'] as const satisfies readonly Role[];
const EVERYONE = [...CB_ROLES, ...ORG_ROLES] as const satisfies readonly Role[];

/** Evaluators act on an evaluation (and its findings) only when they are on its team. */
interface TeamSubject {
	onTeam: boolean;
}

interface FindingSubject extends TeamSubject {
	kind: FindingKind;
	status: FindingStatus;
}

interface OrganisationSubject {
	organisationId: string;
}

/** Statuses in which a follow-up effectiveness check makes sense: the plan is accepted. */
export const FOLLOW_UP_STATUSES: readonly FindingStatus[] = [
	'action_in_progress',
	'evidence_submitted',
	'closed'
];

type Rule<Subject> = {
	roles: readonly Role[];
	/** Message key when the role may not; defaults to `error_forbidden`. */
	roleReason?: string;
	subject?: (actor: PermissionActor, subject: Subject) => PermissionResult;
};

function onTeamUnlessAdmin(reason: string) {
	return (actor: PermissionActor, subject: TeamSubject): PermissionResult =>
		actor.role === 'admin' || subject.onTeam ? ALLOWED : refused(reason);
}

const ownOrganisation = (actor: PermissionActor, subject: OrganisationSubject) =>
	actor.organisationId != null && actor.organisationId === subject.organisationId;

/** An organisation's users act on their own organisation's things; another's they never see. */
function inOwnOrganisation(actor: PermissionActor, subject: OrganisationSubject): PermissionResult {
	return ownOrganisation(actor, subject) ? ALLOWED : refused('error_not_found', 'NOT_FOUND');
}

function rule<Subject = void>(definition: Rule<Subject>): Rule<Subject> {
	return definition;
}

const RULES = {
	/* The catalogue: standards, clauses, grade scales, scheme rules. */
	'catalogue.read': rule({ roles: CB_ROLES }),
	'catalogue.manage': rule({ roles: ADMIN }),

	/* Organisations, their contacts and users. */
	'organisation.list': rule({ roles: EVERYONE }),
	/** CB staff see every organisation of the tenant; organisation users only their own. */
	'organisation.readAll': rule({ roles: CB_ROLES }),
	'organisation.manage': rule({ roles: RUNNERS }),
	'organisation.inviteUsers': rule<OrganisationSubject>({
		roles: PEOPLE_KEEPERS,
		subject: (actor, subject) =>
			actor.role === 'admin' || ownOrganisation(actor, subject) ? ALLOWED : refused()
	}),

	/* Certificates and the decisions on them (ISO/IEC 17065 §7.6: decided by someone else). */
	'certificate.list': rule({ roles: EVERYONE }),
	'certificate.manage': rule({ roles: RUNNERS }),
	/**
	 * Recording a certificate issued before CertTrack or by another body (issue 12 item 1): a
	 * certificate is otherwise born of a grant decision, so typing one in is the admin's alone.
	 */
	'certificate.import': rule({ roles: ADMIN }),
	'certificate.decide': rule<{ onEvaluationTeam: boolean }>({
		roles: DECIDERS,
		roleReason: 'findings_decision_refused_role',
		// Impartiality: nobody decides on an evaluation they took part in.
		subject: (_actor, subject) =>
			subject.onEvaluationTeam ? refused('findings_decision_refused_team_member') : ALLOWED
	}),

	/* Evaluations. */
	'evaluation.read': rule({ roles: CB_ROLES }),
	/**
	 * Issue 12 item 6: the evaluations list and page, read-only for an organisation's users (their
	 * own organisation's only; another's is "not found"); the body's staff see every one.
	 */
	'evaluation.view': rule<OrganisationSubject>({
		roles: EVERYONE,
		subject: (actor, subject) =>
			isCbStaff(actor.role) ? ALLOWED : inOwnOrganisation(actor, subject)
	}),
	'evaluation.plan': rule({ roles: RUNNERS }),
	'evaluation.run': rule<TeamSubject>({
		roles: RUNNERS,
		subject: onTeamUnlessAdmin('evaluations_error_not_on_team')
	}),

	/**
	 * Scoring an evaluation (issue 12 item 2): the evaluation's own team, administrators
	 * included only when on it — a score is the team's judgement of what it saw.
	 */
	'evaluation.score': rule<TeamSubject>({
		roles: RUNNERS,
		subject: (_actor, subject) =>
			subject.onTeam ? ALLOWED : refused('evaluations_error_not_on_team')
	}),

	/* Findings: the body's side of the nonconformity life cycle is the evaluation team's. */
	'finding.list': rule({ roles: CB_ROLES }),
	'finding.record': rule<TeamSubject>({
		roles: RUNNERS,
		subject: onTeamUnlessAdmin('evaluations_error_not_on_team')
	}),
	'finding.changeDue': rule<FindingSubject>({
		roles: RUNNERS,
		subject: (actor, subject) => {
			const team = onTeamUnlessAdmin('evaluations_error_not_on_team')(actor, subject);
			if (!team.ok) return team;
			// The due date moves only while the nonconformity is open.
			if (subject.kind !== 'nonconformity')
				return refused('evaluations_error_due_only_nonconformity', 'CONFLICT');
			if (subject.status === 'closed')
				return refused('evaluations_error_due_finding_closed', 'CONFLICT');
			return ALLOWED;
		}
	}),
	'finding.review': rule<TeamSubject>({
		roles: RUNNERS,
		subject: onTeamUnlessAdmin('evaluations_error_not_on_team')
	}),
	'finding.setFollowUp': rule<FindingSubject>({
		roles: RUNNERS,
		roleReason: 'findings_refused_role_follow_up',
		subject: (actor, subject) => {
			const team = onTeamUnlessAdmin('evaluations_error_not_on_team')(actor, subject);
			if (!team.ok) return team;
			if (subject.kind !== 'nonconformity')
				return refused('findings_refused_not_a_nonconformity', 'CONFLICT');
			if (!FOLLOW_UP_STATUSES.includes(subject.status))
				return refused('findings_refused_follow_up_status', 'CONFLICT');
			return ALLOWED;
		}
	}),
	/**
	 * A verdict on one evidence file (issue 10 defect 9): the same people as the verdict on the
	 * whole submission, the evaluation's team and administrators.
	 */
	'evidence.reviewFile': rule<TeamSubject>({
		roles: RUNNERS,
		roleReason: 'evidence_review_refused_role',
		subject: onTeamUnlessAdmin('evaluations_error_not_on_team')
	}),
	/** Taking back a file not yet submitted: the organisation whose finding it answers. */
	'evidence.remove': rule<OrganisationSubject>({
		roles: ORG_ROLES,
		roleReason: 'evidence_remove_refused_role',
		subject: inOwnOrganisation
	}),
	/** The organisation's side: answering and submitting evidence for its own findings. */
	'finding.answer': rule<OrganisationSubject>({
		roles: ORG_ROLES,
		subject: inOwnOrganisation
	}),
	'myActions.read': rule({ roles: ORG_ROLES }),

	/* Recurring obligations (issue 7 §3): the organisation fulfils its due items, the body reads them. */
	/** An organisation's users see and fulfil their own organisation's due items only. */
	'obligation.fulfil': rule<OrganisationSubject>({
		roles: ORG_ROLES,
		subject: inOwnOrganisation
	}),
	'obligation.view': rule({ roles: RUNNERS }),
	'obligation.review': rule({ roles: RUNNERS }),
	'obligation.raiseFinding': rule({ roles: RUNNERS }),
	'obligation.manage': rule({ roles: ADMIN }),

	/*
	 * The organisation's service system (issue 12 item 5): its commitments, objectives and
	 * outlets are the organisation's own, kept by its own users. The body's staff read them (the
	 * evaluators evaluate them) but never write them: a certification body that wrote its
	 * client's system would be evaluating its own work (ISO/IEC 17065 §4.2, no consultancy).
	 */
	'serviceSystem.read': rule<OrganisationSubject>({
		roles: EVERYONE,
		subject: (actor, subject) =>
			isCbStaff(actor.role) ? ALLOWED : inOwnOrganisation(actor, subject)
	}),
	/** Commitments, objectives and outlets are drafted and changed by the organisation's admin. */
	'serviceSystem.manage': rule<OrganisationSubject>({
		roles: ['org_admin'],
		roleReason: 'service_refused_manage',
		subject: inOwnOrganisation
	}),
	/** The seed: objectives are approved by the organisation's management (总经理批准). */
	'serviceSystem.approve': rule<OrganisationSubject>({
		roles: ['org_admin'],
		roleReason: 'service_refused_approve',
		subject: inOwnOrganisation
	}),
	/** Any of the organisation's users records what an objective measured. */
	'serviceSystem.measure': rule<OrganisationSubject>({
		roles: ORG_ROLES,
		roleReason: 'service_refused_measure',
		subject: inOwnOrganisation
	}),

	/* People and their roles. */
	'people.manage': rule({ roles: PEOPLE_KEEPERS }),
	/** Everyone of the tenant; an organisation's admin sees their organisation's people only. */
	'people.readAll': rule({ roles: ADMIN }),
	/**
	 * Giving someone a role: a CB admin grants any role in the tenant; an organisation's admin
	 * grants organisation roles for their own organisation only.
	 */
	'people.grant': rule<{ role: Role; organisationId: string | null }>({
		roles: PEOPLE_KEEPERS,
		subject: (actor, grant) => {
			if (!grantableRoles(actor).includes(grant.role)) return refused();
			if (actor.role === 'admin') return ALLOWED;
			return actor.organisationId != null && grant.organisationId === actor.organisationId
				? ALLOWED
				: refused();
		}
	}),

	/**
	 * Acting on someone's membership (issue 12 item 7: deactivate, reactivate, change the role,
	 * resend the invitation): a CB admin on anyone of the tenant but themselves (an admin who
	 * deactivated or demoted themselves could leave the body with none); an organisation's admin
	 * on their own organisation's users only — anyone else is as if absent (NOT_FOUND).
	 */
	'people.manageMember': rule<{ userId: string | null; role: Role; organisationId: string | null }>(
		{
			roles: PEOPLE_KEEPERS,
			subject: (actor, member) => {
				if (member.userId !== null && member.userId === actor.userId)
					return refused('people_error_self', 'CONFLICT');
				if (actor.role === 'admin') return ALLOWED;
				return isOrgUser(member.role) && member.organisationId !== null
					? inOwnOrganisation(actor, { organisationId: member.organisationId })
					: refused('error_not_found', 'NOT_FOUND');
			}
		}
	),
	/** The body's own settings (issue 12 item 8): names, slug, zone, numbering, mail, logo. */
	'tenant.settings': rule({ roles: ADMIN }),

	/* The audit log and the operator's view of the installation. */
	'audit.read': rule({ roles: ADMIN }),
	/** The certificate changes of a period as public registries take them (issue 13 item 5). */
	'registry.export': rule({ roles: ADMIN }),
	'system.status': rule({ roles: ADMIN }),

	/* The chase (issue 7): who the clocks tell, and who sees the mail the product sends. */
	'chase.alerts': rule({ roles: ADMIN }),
	'chase.withdrawalProposals': rule({ roles: [...ADMIN, ...DECIDERS] }),
	/** The flags those clocks raise on certificates: on the dashboard, certificate and decide pages. */
	'certificate.flags': rule({ roles: [...ADMIN, ...DECIDERS] }),
	'mail.deliveries': rule({ roles: ADMIN }),
	/* Mail UI: everyone signed in reads their own notifications. */
	'notifications.read': rule({ roles: EVERYONE }),

	/* Work queues (issue 11 §1): each role's section of the dashboard and its pages. */
	/** The evaluation team's queues, on the evaluations the person is on the team of. */
	'queue.evaluate': rule({ roles: RUNNERS }),
	'queue.decide': rule({ roles: DECIDERS }),
	'queue.administer': rule({ roles: ADMIN }),
	'queue.organisation': rule({ roles: ORG_ROLES }),
	/** The header's search: everyone, within what their side may see. */
	'search.app': rule({ roles: EVERYONE }),

	/* The dashboard: everyone sees one, shaped by their side. */
	'dashboard.read': rule({ roles: EVERYONE }),
	/** The body's staff count (and browse) every organisation; an organisation's users their own. */
	'dashboard.allOrganisations': rule({ roles: CB_ROLES }),

	/* The body's figures and its management review (issue 11; ISO/IEC 17021-1 §9.11). */
	'figures.read': rule({ roles: CB_ROLES }),
	/** One organisation's figures: the body's staff for any, its own users for their own. */
	'figures.organisation': rule<OrganisationSubject>({
		roles: EVERYONE,
		subject: (actor, subject) =>
			isCbStaff(actor.role) ? ALLOWED : inOwnOrganisation(actor, subject)
	}),
	/*
	 * The calendar (issue 11 §3): everyone sees the dates of what they may open (the service asks
	 * the kinds' own capabilities); the body's staff filter by organisation and evaluator.
	 */
	'calendar.read': rule({ roles: EVERYONE }),
	'calendar.filter': rule({ roles: CB_ROLES }),
	/** A person's own secret iCalendar URL. */
	'calendar.feed': rule({ roles: EVERYONE }),
	/**
	 * An evaluator's feed carries the work they are on the team of (the whole tenant's dates
	 * would drown their own); an admin's and a decision maker's carry all the body's dates.
	 */
	'calendar.feedOwnWork': rule({ roles: ['evaluator'] }),
	/*
	 * Complaints (issue 13 item 4): anyone files one on the public pages (no capability: no
	 * actor); the administrators triage them and open the special evaluation, the decision makers
	 * read them (a complaint may bear on a decision), the organisation never sees them.
	 */
	'complaint.read': rule({ roles: [...ADMIN, ...DECIDERS] }),
	'complaint.triage': rule({ roles: ADMIN })
} as const;

type Rules = typeof RULES;
export type Capability = keyof Rules;
type SubjectOf<C extends Capability> = Rules[C] extends Rule<infer S> ? S : never;
export type SubjectArgs<C extends Capability> = [SubjectOf<C>] extends [void] ? [] : [SubjectOf<C>];

export const CAPABILITIES = Object.keys(RULES) as Capability[];

/** The roles that may ever hold `capability` (what a procedure builder and a nav link ask). */
export function rolesFor(capability: Capability): readonly Role[] {
	return RULES[capability].roles;
}

/** Whether the actor's role may ever hold `capability`, whatever the subject. */
export function mayEver(actor: PermissionActor, capability: Capability): boolean {
	return RULES[capability].roles.includes(actor.role);
}

/** The full answer: the role first, then the rule over the subject; a refusal names its reason. */
export function check<C extends Capability>(
	actor: PermissionActor,
	capability: C,
	...subject: SubjectArgs<C>
): PermissionResult {
	const definition = RULES[capability] as Rule<SubjectOf<C>>;
	if (!definition.roles.includes(actor.role)) return refused(definition.roleReason);
	if (definition.subject) return definition.subject(actor, subject[0] as SubjectOf<C>);
	return ALLOWED;
}

/** `check` as a boolean, for page flags. */
export function can<C extends Capability>(
	actor: PermissionActor,
	capability: C,
	...subject: SubjectArgs<C>
): boolean {
	return check(actor, capability, ...subject).ok;
}

/** Which side of the nonconformity life cycle a role acts for, if any. */
export function lifecycleSide(role: Role): 'organisation' | 'body' | null {
	if (isOrgUser(role)) return 'organisation';
	if (isCbStaff(role) && rolesFor('finding.review').includes(role)) return 'body';
	return null;
}

/** Roles a person may be given by `actor` in the people form. */
export function grantableRoles(actor: PermissionActor): readonly Role[] {
	if (actor.role === 'admin') return EVERYONE;
	if (actor.role === 'org_admin') return ORG_ROLES;
	return [];
}

/** Roles that may be picked for an evaluation's team. */
export const TEAM_ROLES: readonly Role[] = RUNNERS;
