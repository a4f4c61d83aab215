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
	'evidence.integrity_check',
	'outbox.retry',
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
	'outbox',
	'calendar_feed'
] as const;
