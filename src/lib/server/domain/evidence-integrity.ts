/*
 * What the evidence verification job found (issue 7 §4) and what it means for the reviewer.
 * Pure: the workflow service asks it before "verify effective"; the finding page asks it what to
 * show.
 */

export type IntegrityStatus = 'pending' | 'verified' | 'rejected';

export interface IntegrityOfFile {
	integrityStatus: IntegrityStatus;
}

export type VerifyEffectiveCheck =
	{ ok: true; unchecked: number } | { ok: false; reason: 'integrity_rejected'; rejected: number };

/**
 * May the reviewer verify a submission effective, given the integrity of its files?
 *
 * A file whose stored bytes do not match its record (hash, size, type, or gone) blocks it: the
 * reviewer would be declaring effective something nobody can show again. A file still
 * unchecked does not block: the upload already hashed, sized and sniffed the bytes as they
 * streamed in (the job only re-reads them from storage), and closing a finding must not
 * depend on the background worker being up; the page says how many are unchecked instead.
 */
export function checkVerifyEffective(files: readonly IntegrityOfFile[]): VerifyEffectiveCheck {
	const rejected = files.filter((file) => file.integrityStatus === 'rejected').length;
	if (rejected > 0) return { ok: false, reason: 'integrity_rejected', rejected };
	return { ok: true, unchecked: files.filter((f) => f.integrityStatus === 'pending').length };
}
