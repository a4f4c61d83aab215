import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { access, chmod, link, mkdir, open, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/*
 * Where evidence bytes live: content-addressed by SHA-256, written once, never overwritten
 * (SPEC §3 "stored content-addressed, never overwritten"). Behind this interface so that an
 * S3-compatible driver can replace the local disk (SPEC §7).
 */

export interface StagedContent {
	sha256: string;
	size: number;
	/**
	 * Moves the content into the store under its hash. `stored` is false when the same content
	 * was there already (the staged copy is then dropped).
	 */
	keep(): Promise<{ stored: boolean }>;
	/** Drops the staged copy; does nothing once kept or discarded. */
	discard(): Promise<void>;
}

export interface EvidenceStorage {
	/**
	 * Streams `content` into a staging area while hashing it, refusing with SizeLimitExceeded as
	 * soon as it passes `maxBytes`. Whatever goes wrong, nothing staged is left behind. Staging
	 * first lets the caller write its database row before the content counts as stored.
	 */
	stage(content: Readable, limits: { maxBytes: number }): Promise<StagedContent>;
	/** stage() then keep(): for callers with nothing to do in between. */
	put(
		content: Readable,
		limits: { maxBytes: number }
	): Promise<{ sha256: string; size: number; stored: boolean }>;
	open(sha256: string): Readable;
	has(sha256: string): Promise<boolean>;
}

export class SizeLimitExceeded extends Error {
	constructor(readonly maxBytes: number) {
		super(`larger than ${maxBytes} bytes`);
		this.name = 'SizeLimitExceeded';
	}
}

const SHA256 = /^[0-9a-f]{64}$/;

export function isSha256(value: string): boolean {
	return SHA256.test(value);
}

/** Counts and hashes the bytes on their way to disk; fails the stream once past the limit. */
class HashingLimit extends Transform {
	readonly hash = createHash('sha256');
	size = 0;

	constructor(private readonly maxBytes: number) {
		super();
	}

	override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback) {
		this.size += chunk.length;
		if (this.size > this.maxBytes) return done(new SizeLimitExceeded(this.maxBytes));
		this.hash.update(chunk);
		done(null, chunk);
	}
}

const ignoreMissing = (error: unknown) => {
	if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
};

/**
 * Evidence on the local disk: `<dir>/<first two hex digits>/<sha256>`, read-only once stored.
 * Staged files go to `<dir>/tmp/` — the same file system, so moving one in is atomic.
 */
export class LocalDiskStorage implements EvidenceStorage {
	constructor(readonly dir: string) {}

	pathOf(sha256: string): string {
		// The hash becomes a path: only ever a real one, so nothing can point outside `dir`.
		if (!isSha256(sha256)) throw new RangeError('not a SHA-256 hex digest');
		return join(this.dir, sha256.slice(0, 2), sha256);
	}

	async stage(content: Readable, limits: { maxBytes: number }): Promise<StagedContent> {
		const stagingDir = join(this.dir, 'tmp');
		await mkdir(stagingDir, { recursive: true });
		const staged = join(stagingDir, `${randomBytes(16).toString('hex')}.part`);
		const counter = new HashingLimit(limits.maxBytes);
		// Opened before any byte flows, so a failure can never race the file's creation.
		const file = await open(staged, 'wx', 0o600);
		try {
			await pipeline(content, counter, file.createWriteStream());
		} catch (error) {
			await file.close().catch(() => {});
			await unlink(staged).catch(ignoreMissing);
			throw error;
		}
		const sha256 = counter.hash.digest('hex');
		let settled = false;
		const discard = async () => {
			if (settled) return;
			settled = true;
			await unlink(staged).catch(ignoreMissing);
		};
		return {
			sha256,
			size: counter.size,
			discard,
			keep: async () => {
				if (settled) throw new Error('staged content already kept or discarded');
				try {
					const stored = await this.#moveIn(staged, sha256);
					settled = true;
					return { stored };
				} finally {
					// Kept or not, the staged copy must not linger.
					await unlink(staged).catch(ignoreMissing);
				}
			}
		};
	}

	async put(content: Readable, limits: { maxBytes: number }) {
		const staged = await this.stage(content, limits);
		try {
			const { stored } = await staged.keep();
			return { sha256: staged.sha256, size: staged.size, stored };
		} finally {
			await staged.discard();
		}
	}

	/**
	 * link() creates the name only if it is free, so stored content is never replaced, not even
	 * by a concurrent upload of the same bytes. Where hard links are not supported, rename()
	 * after a check: the same hash means the same bytes, so losing that race changes nothing.
	 */
	async #moveIn(staged: string, sha256: string): Promise<boolean> {
		const target = this.pathOf(sha256);
		await mkdir(join(this.dir, sha256.slice(0, 2)), { recursive: true });
		await chmod(staged, 0o444);
		try {
			await link(staged, target);
			return true;
		} catch (error) {
			const code = (error as NodeJS.ErrnoException).code;
			if (code === 'EEXIST') return false;
			if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EXDEV') throw error;
		}
		if (await this.has(sha256)) return false;
		await rename(staged, target);
		return true;
	}

	open(sha256: string): Readable {
		return createReadStream(this.pathOf(sha256));
	}

	async has(sha256: string): Promise<boolean> {
		if (!isSha256(sha256)) return false;
		try {
			await access(this.pathOf(sha256));
			return true;
		} catch {
			return false;
		}
	}
}

/** The configured store. */
export function evidenceStorage(config: { evidenceDir: string }): EvidenceStorage {
	return new LocalDiskStorage(config.evidenceDir);
}
