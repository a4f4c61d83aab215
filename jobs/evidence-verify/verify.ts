import { createHash } from 'node:crypto';
import type { AppDatabase } from '../../src/lib/server/db/tenant-scope';
import { LocalDiskStorage, type EvidenceStorage } from '../../src/lib/server/evidence/storage';
import { SNIFF_BYTES, checkEvidence } from '../../src/lib/server/evidence/sniff';
import {
	findEarlierDuplicate,
	findEvidenceForCheck,
	recordIntegrity
} from '../../src/lib/server/repositories/evidence-integrity';
import { recordAudit } from '../../src/lib/server/repositories/audit';
import { usersAsRecipients, usersWithRoles } from '../../src/lib/server/repositories/recipients';
import { rolesFor } from '../../src/lib/server/domain/permissions';
import type { Locale } from '../../db/schema';
import {
	resolvedMessage,
	tenantMailContext,
	writeMessages,
	type ResolvedMessage
} from '../../src/lib/server/mail/outbox';
import { translate } from '../../src/lib/server/i18n/translate';

export type IntegrityProblem = 'hash_mismatch' | 'size_mismatch' | 'type_mismatch' | 'missing';

/** Reads the stored bytes: their hash, size and sniffed type (as the upload checked them). */
async function measure(storage: EvidenceStorage, sha256: string, name: string) {
	const hash = createHash('sha256');
	let size = 0;
	let head = Buffer.alloc(0);
	for await (const chunk of storage.open(sha256)) {
		const bytes = chunk as Buffer;
		hash.update(bytes);
		size += bytes.length;
		if (head.length < SNIFF_BYTES)
			head = Buffer.concat([head, bytes.subarray(0, SNIFF_BYTES - head.length)]);
	}
	const check = checkEvidence(head, size <= SNIFF_BYTES, name);
	return { sha256: hash.digest('hex'), size, type: check.ok ? check.type : null };
}

/**
 * The evidence verification (issue 7 §4): re-read the stored bytes, compare hash, size and type
 * with the record, flag a duplicate of earlier evidence in the tenant, record integrity_status
 * (with the audit entry) and tell the reviewers — a finding's lead evaluator "ready for review",
 * or loudly, the problem; for an obligation item's evidence, the body's obligation reviewers hear
 * of a problem — in the transaction that records it.
 * Idempotent: a checked row is left alone; its messages carry a dedupe key.
 */
export async function verifyEvidence(
	db: AppDatabase,
	evidenceDir: string,
	tenantId: string,
	evidenceId: string,
	now: Date = new Date()
): Promise<{
	status: 'verified' | 'rejected';
	problem: IntegrityProblem | null;
	duplicateOfId: string | null;
	outboxIds: string[];
} | null> {
	const scope = { tenantId, userId: null };
	const row = await db.inTenant(scope, (tx) => findEvidenceForCheck(tx, evidenceId));
	if (!row || row.integrity_checked_at) return null;
	const storage = new LocalDiskStorage(evidenceDir);
	let problem: IntegrityProblem | null = null;
	try {
		const measured = await measure(storage, row.sha256, row.original_name);
		if (measured.sha256 !== row.sha256) problem = 'hash_mismatch';
		else if (measured.size !== Number(row.size_bytes)) problem = 'size_mismatch';
		else if (measured.type !== row.detected_type) problem = 'type_mismatch';
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
		problem = 'missing';
	}
	return db.inTenant(scope, async (tx) => {
		const again = await findEvidenceForCheck(tx, evidenceId);
		if (!again || again.integrity_checked_at) return null;
		const duplicate = await findEarlierDuplicate(tx, {
			id: evidenceId,
			sha256: row.sha256,
			uploadedAt: row.uploaded_at
		});
		const status = problem ? 'rejected' : 'verified';
		await recordIntegrity(tx, evidenceId, {
			status,
			detail: problem ?? 'ok',
			duplicateOfId: duplicate?.id ?? null,
			checkedAt: now
		});
		await recordAudit(tx, {
			tenantId,
			actorUserId: null,
			action: 'evidence.integrity_check',
			entityType: 'evidence',
			entityId: evidenceId,
			before: { integrity_status: row.integrity_status },
			after: {
				integrity_status: status,
				detail: problem ?? 'ok',
				duplicate_of_id: duplicate?.id ?? null
			}
		});
		const lead = row.lead_user_id ? await usersAsRecipients(tx, [row.lead_user_id]) : [];
		const obligationOrganisation = row.obligation_organisation_id;
		// A finding's evidence is reviewed by its lead evaluator; an obligation item's by the body's
		// reviewers of obligations, who hear of a mismatch (a "ready" item shows on their grid).
		const reviewers = obligationOrganisation
			? problem
				? await usersWithRoles(tx, rolesFor('obligation.review'))
				: []
			: lead;
		const link = row.finding_id
			? `/findings/${row.finding_id}`
			: obligationOrganisation
				? `/obligations?organisation=${obligationOrganisation}`
				: '/obligations';
		const context = await tenantMailContext(tx, tenantId);
		/** What the message names: the finding's reference, or the obligation's title and period. */
		const subjectIn = (locale: Locale) =>
			row.finding_id || !row.obligation_title_zh
				? (row.reference ?? '')
				: `${(locale === 'en' && row.obligation_title_en) || row.obligation_title_zh} ${row.obligation_period_start ?? ''}`.trim();
		const base = { reference: subjectIn(context.defaultLocale), fileName: row.original_name };
		const messages: ResolvedMessage[] = [];
		const dedupeKey = (kind: string) => `evidence:${evidenceId}:${kind}`;
		if (problem)
			// The problem is named in each recipient's language by the template's own parameter:
			// one message per recipient keeps it exact.
			for (const recipient of reviewers) {
				const locale = recipient.locale ?? context.defaultLocale;
				messages.push(
					resolvedMessage(
						'evidence.integrity_problem',
						{
							reference: subjectIn(locale),
							fileName: row.original_name,
							problem: translate(`chase_integrity_${problem}`, locale)
						},
						{ recipients: [recipient], link, dedupeKey: dedupeKey('problem') }
					)
				);
			}
		else
			messages.push(
				resolvedMessage('evidence.ready_for_review', base, {
					recipients: reviewers,
					link,
					dedupeKey: dedupeKey('ready')
				})
			);
		if (duplicate)
			messages.push(
				resolvedMessage(
					'evidence.duplicate',
					{ ...base, duplicateOf: duplicate.reference ?? '' },
					{ recipients: reviewers, link, dedupeKey: dedupeKey('duplicate') }
				)
			);
		const outboxIds = await writeMessages(tx, context, messages);
		return { status, problem, duplicateOfId: duplicate?.id ?? null, outboxIds };
	});
}
