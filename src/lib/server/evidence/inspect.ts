import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { badInput, type Refusal } from '../errors';
import {
	checkEvidence,
	extensionOf,
	isTextType,
	SNIFF_BYTES,
	utf8TextValidator,
	type EvidenceCheck,
	type EvidenceType
} from './sniff';
import type { EvidenceStorage, StagedContent } from './storage';

/*
 * One evidence file's bytes on their way into staging: sniffed once the first bytes arrive
 * (refused there if the type is not allowed or contradicts the name), kept UTF-8 to the end if
 * text, hashed and bounded by the store as they stream. Nothing here touches the database.
 */

const TYPE_NAMES: Record<EvidenceType | 'ooxml', string> = {
	'application/pdf': 'PDF',
	'image/png': 'PNG',
	'image/jpeg': 'JPEG',
	'image/gif': 'GIF',
	'image/webp': 'WebP',
	'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'Word (DOCX)',
	'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'Excel (XLSX)',
	'application/vnd.openxmlformats-officedocument.presentationml.presentation': 'PowerPoint (PPTX)',
	'application/zip': 'ZIP',
	'text/plain': 'TXT',
	'text/csv': 'CSV',
	ooxml: 'Office Open XML'
};

function refusalOfCheck(check: Exclude<EvidenceCheck, { ok: true }>, name: string): Refusal {
	switch (check.reason) {
		case 'empty':
			return badInput('file', 'evidence_empty');
		case 'type_not_allowed':
			return badInput('file', 'evidence_type_not_allowed');
		case 'bytes_contradict_name':
			return badInput('file', 'evidence_bytes_contradict_name', {
				detected: TYPE_NAMES[check.detected],
				extension: extensionOf(name)
			});
	}
}

/**
 * Passes a file through once its first SNIFF_BYTES (or the whole of a smaller file) show an
 * allowed type that agrees with its name; fails the stream with a Refusal otherwise, before
 * more is read. Text must stay UTF-8 to its last byte.
 */
class EvidenceInspector extends Transform {
	type: EvidenceType | null = null;
	#head: Buffer[] = [];
	#headLength = 0;
	#text: ReturnType<typeof utf8TextValidator> | null = null;

	constructor(private readonly name: string) {
		super();
	}

	override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback) {
		if (this.type) {
			if (this.#text && !this.#text.push(chunk))
				return done(badInput('file', 'evidence_text_invalid'));
			return done(null, chunk);
		}
		this.#head.push(chunk);
		this.#headLength += chunk.length;
		if (this.#headLength < SNIFF_BYTES) return done();
		this.#decide(false, done);
	}

	override _flush(done: TransformCallback) {
		if (!this.type) return this.#decide(true, done);
		if (this.#text && !this.#text.end()) return done(badInput('file', 'evidence_text_invalid'));
		done();
	}

	#decide(complete: boolean, done: TransformCallback) {
		const head = Buffer.concat(this.#head);
		this.#head = [];
		// The verdict rests on the same bytes however the chunks fell; the text check below
		// covers what lies beyond them.
		const sniffed = head.subarray(0, SNIFF_BYTES);
		const check = checkEvidence(sniffed, complete && sniffed.length === head.length, this.name);
		if (!check.ok) return done(refusalOfCheck(check, this.name));
		this.type = check.type;
		if (isTextType(check.type)) {
			this.#text = utf8TextValidator();
			if (!this.#text.push(head) || (complete && !this.#text.end()))
				return done(badInput('file', 'evidence_text_invalid'));
		}
		done(null, head);
	}
}

/** A file streamed into staging: its bytes are known good, its row not yet written. */
export interface Inspected {
	staged: StagedContent;
	detectedType: EvidenceType;
}

/**
 * Streams one file of the form through the inspector into staging. On any failure the file
 * is drained rather than destroyed — the rest of the form is behind it — and the error says
 * whether the request itself broke.
 */
export async function stageFile(
	file: Readable,
	name: string,
	storage: EvidenceStorage,
	maxBytes: number
): Promise<Inspected> {
	const inspector = new EvidenceInspector(name);
	// The inspector may refuse a small file before the store has attached its pipeline; the
	// pipeline still sees that error (the stream keeps it), so it must not go unhandled here.
	inspector.on('error', () => {});
	let broken = false;
	file.on('error', (error) => {
		broken = true;
		inspector.destroy(error);
	});
	file.pipe(inspector);
	try {
		const staged = await storage.stage(inspector, { maxBytes });
		if (inspector.type) return { staged, detectedType: inspector.type };
		await staged.discard();
		throw new Error('a file passed inspection without a type');
	} catch (error) {
		file.unpipe(inspector);
		inspector.destroy();
		file.resume();
		throw broken ? new UploadInterrupted(error) : error;
	}
}

export class UploadInterrupted extends Error {
	constructor(cause: unknown) {
		super('the upload was interrupted', { cause });
	}
}
