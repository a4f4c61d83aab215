import { mkdir, open, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/*
 * Audit chain anchors (issue 8 §21): each tenant's chain head, copied out of the database into
 * the evidence store, append-only. Someone who can rewrite audit_log and recompute every hash
 * cannot also rewrite what was copied here, so verification against these checkpoints finds it.
 * One JSON line per checkpoint, in `<evidence dir>/audit-checkpoints/<tenant id>.jsonl`; the file
 * is only ever opened for appending (O_APPEND), never rewritten.
 */

export interface AuditCheckpoint {
	seq: number;
	hash: string;
	/** ISO 8601, UTC: when the checkpoint was written. */
	at: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HASH = /^[0-9a-f]{64}$/;

function parseLine(line: string): AuditCheckpoint | null {
	try {
		const value = JSON.parse(line) as Partial<AuditCheckpoint>;
		if (
			typeof value.seq === 'number' &&
			Number.isSafeInteger(value.seq) &&
			value.seq >= 0 &&
			typeof value.hash === 'string' &&
			HASH.test(value.hash) &&
			typeof value.at === 'string'
		)
			return { seq: value.seq, hash: value.hash, at: value.at };
	} catch {
		// A torn last line (a crash mid-append) is no checkpoint.
	}
	return null;
}

export class CheckpointStore {
	constructor(readonly dir: string) {}

	pathOf(tenantId: string): string {
		// The tenant id becomes a file name: only ever a UUID, so nothing can point outside `dir`.
		if (!UUID.test(tenantId)) throw new RangeError('not a tenant id');
		return join(this.dir, `${tenantId.toLowerCase()}.jsonl`);
	}

	/** Appends one checkpoint and flushes it to disk before returning. */
	async append(tenantId: string, checkpoint: AuditCheckpoint): Promise<void> {
		await mkdir(this.dir, { recursive: true });
		const file = await open(this.pathOf(tenantId), 'a', 0o600);
		try {
			await file.appendFile(`${JSON.stringify(checkpoint)}\n`, 'utf8');
			await file.sync();
		} finally {
			await file.close();
		}
	}

	/** Every checkpoint of the tenant, oldest first; none when nothing was written yet. */
	async list(tenantId: string): Promise<AuditCheckpoint[]> {
		let text: string;
		try {
			text = await readFile(this.pathOf(tenantId), 'utf8');
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
			throw error;
		}
		const checkpoints: AuditCheckpoint[] = [];
		for (const line of text.split('\n')) {
			if (!line.trim()) continue;
			const checkpoint = parseLine(line);
			if (checkpoint) checkpoints.push(checkpoint);
		}
		return checkpoints;
	}

	async latest(tenantId: string): Promise<AuditCheckpoint | null> {
		return (await this.list(tenantId)).at(-1) ?? null;
	}
}

/** The configured store: beside the evidence bytes, so it is backed up and kept with them. */
export function checkpointStore(config: { evidenceDir: string }): CheckpointStore {
	return new CheckpointStore(join(config.evidenceDir, 'audit-checkpoints'));
}
