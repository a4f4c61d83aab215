/*
 * The audit log's vocabulary: `entity.verb` actions on these entity types. Every service writes
 * one of these, so the timeline and the audit page can name each in the user's language
 * (messages `audit_action_<entity>_<verb>` in messages/audit/).
 */
export const AUDIT_ACTIONS = [
	'organisation.create',
	'organisation.update',
	'contact.create',
	'contact.update',
	'contact.delete',
	'person.create',
	'membership.grant',
	'membership.invite',
	'membership.decline',
	'standard.create',
	'standard.update',
	'clause.create',
	'clause.update',
	'clause.import',
	'grade_scale.create',
	'grade_scale.update',
	'scheme_rules.update',
	// Scoring (issue 12 item 2): a standard's scoring sheet, an evaluation's scores.
	'standard.scoring_update',
	'evaluation.score',
	'certificate.create',
	'certificate.update',
	'evaluation.plan',
	'evaluation.update',
	'evaluation.start',
	'evaluation.issue_report',
	'evaluation.close',
	'finding.raise',
	'finding.update',
	'finding.due_change',
	'finding.follow_up_set',
	'finding.submit_response',
	'finding.accept_response',
	'finding.reject_response',
	'finding.submit_evidence',
	'finding.reject_evidence',
	'finding.verify_effective',
	'evidence.upload',
	'evidence.review',
	'evidence.remove',
	'decision.grant',
	'decision.maintain',
	'decision.regrade',
	'decision.suspend',
	'decision.withdraw',
	'decision.restore',
	'decision.reduce_scope',
	// The chase (issue 7): writes the clocks make, with the system (null) as actor.
	'finding.regrade_by_rule',
	'finding.verification_reopen',
	'certificate.suspension_due',
	'certificate.expire',
	'certificate.withdrawal_propose',
	'obligation.due_item_create',
	// Recurring obligations (issue 7): the body sets them up, the organisation submits each due
	// item, the body accepts it, sends it back or raises a finding on it.
	'obligation.create',
	'obligation.update',
	'obligation.submit',
	'obligation.accept',
	'obligation.reject',
	'obligation.raise_finding',
	'evidence.integrity_check',
	'outbox.retry',
	// Reads worth a record (issue 11 item 4): who took which list out of the product, filtered how.
	'list.export',
	// A person's secret iCalendar URL (issue 11 §3).
	'calendar_feed.create',
	'calendar_feed.revoke'
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export const AUDIT_ENTITY_TYPES = [
	'organisation',
	'contact',
	'user',
	'membership',
	'membership_invitation',
	'standard',
	'clause',
	'grade_scale',
	'scheme_rules',
	'certificate',
	'evaluation',
	'finding',
	'evidence',
	'decision',
	'recurring_obligation',
	'obligation_due_item',
	'outbox',
	'list',
	'calendar_feed'
] as const;
