import { noteOutboxRows, type Tx } from '../db/tenant-scope';
import type { Actor } from '../actor';
import { rolesFor } from '../domain/permissions';
import {
	resolvedMessage,
	tenantMailContext,
	writeMessages,
	type ResolvedMessage
} from '../mail/outbox';
import type { TemplateName, TemplateParams } from '../mail/templates';
import {
	leadEvaluators,
	organisationUsers,
	reminderContacts,
	type RecipientRow
} from '../repositories/recipients';
import {
	certificateForMessage,
	openNonconformitySummary,
	organisationName
} from '../repositories/event-recipients';

/*
 * The event messages of SPEC §4: each written by the service of its transition, inside the
 * transaction that makes it, so a refused or rolled-back transition writes none. The dedupe key
 * names the entity and the version the transition produced: one message per transition.
 * Their outbox rows are noted on the transaction, so the request nudges delivery after commit.
 */

/** Everyone of the organisation (its users of any role) and its contacts with reminders on. */
async function wholeOrganisation(tx: Tx, organisationId: string): Promise<RecipientRow[]> {
	return [
		...(await reminderContacts(tx, organisationId)),
		...(await organisationUsers(tx, organisationId, rolesFor('finding.answer')))
	];
}

/** One event email to `recipients`, noted on the transaction so delivery is nudged after commit. */
export async function send<T extends TemplateName>(
	tx: Tx,
	actor: Actor,
	template: T,
	params: TemplateParams<T>,
	message: { recipients: RecipientRow[]; link: string; dedupeKey: string }
) {
	if (message.recipients.length === 0) return;
	const context = await tenantMailContext(tx, actor.tenantId);
	const messages: ResolvedMessage[] = [resolvedMessage(template, params, message)];
	// Delivered at once after the commit (AppDatabase's outbox listener), not at the next sweep.
	noteOutboxRows(tx, await writeMessages(tx, context, messages));
}

/** The report is out: the organisation hears what to answer (its open nonconformities) by when. */
export async function reportIssuedMessage(
	tx: Tx,
	actor: Actor,
	evaluation: { id: string; version: number; organisation_id: string }
) {
	const summary = await openNonconformitySummary(tx, evaluation.id);
	if (summary.count === 0 || !summary.firstDueOn) return;
	await send(
		tx,
		actor,
		'report.issued',
		{
			organisation: await organisationName(tx, evaluation.organisation_id),
			count: summary.count,
			dueOn: summary.firstDueOn
		},
		{
			recipients: await wholeOrganisation(tx, evaluation.organisation_id),
			// The organisation's list of what to answer: its people cannot open the staff's
			// /findings list or the evaluation page (finding.list is a CB capability).
			link: '/my-actions',
			dedupeKey: `report.issued:${evaluation.id}:${evaluation.version}`
		}
	);
}

export interface FindingForMessage {
	id: string;
	reference: string;
	organisation_id: string;
	evaluation_id: string;
	version: number;
}

export type ToOrganisation =
	| { template: 'finding.plan_sent_back'; params: { comment: string } }
	| { template: 'finding.plan_accepted'; params: { dueOn: string } }
	| { template: 'finding.evidence_rejected'; params: { comment: string } }
	| { template: 'finding.evidence_verified'; params: Record<never, never> }
	| {
			template: 'finding.due_changed';
			params: { fromDueOn: string; dueOn: string; reason: string };
	  };

/** A step of the body on a finding: the organisation hears it, on the finding's page. */
export async function findingMessageToOrganisation(
	tx: Tx,
	actor: Actor,
	finding: FindingForMessage,
	event: ToOrganisation
) {
	await send(
		tx,
		actor,
		event.template,
		{ reference: finding.reference, ...event.params } as TemplateParams<typeof event.template>,
		{
			recipients: await wholeOrganisation(tx, finding.organisation_id),
			link: `/findings/${finding.id}`,
			dedupeKey: `${event.template}:${finding.id}:${finding.version}`
		}
	);
}

/** A step of the organisation on a finding: the evaluation's lead evaluator hears it. */
export async function findingMessageToLead(
	tx: Tx,
	actor: Actor,
	finding: FindingForMessage,
	template: 'finding.response_submitted' | 'finding.evidence_submitted'
) {
	await send(
		tx,
		actor,
		template,
		{
			reference: finding.reference,
			organisation: await organisationName(tx, finding.organisation_id)
		},
		{
			recipients: await leadEvaluators(tx, finding.evaluation_id),
			link: `/findings/${finding.id}`,
			dedupeKey: `${template}:${finding.id}:${finding.version}`
		}
	);
}

/** A certification decision: the organisation's administrators and reminder contacts hear it. */
export async function decisionTakenMessage(
	tx: Tx,
	actor: Actor,
	decision: { id: string; certificateId: string; kind: string }
) {
	const certificate = await certificateForMessage(tx, decision.certificateId);
	await send(
		tx,
		actor,
		'certificate.decision_taken',
		{ certificate: certificate.number, decision: decision.kind },
		{
			recipients: [
				...(await organisationUsers(tx, certificate.organisation_id, rolesFor('people.manage'))),
				...(await reminderContacts(tx, certificate.organisation_id))
			],
			link: `/certificates/${decision.certificateId}`,
			dedupeKey: `certificate.decision_taken:${decision.certificateId}:${decision.id}`
		}
	);
}
