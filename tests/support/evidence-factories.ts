import { randomBytes } from 'node:crypto';
import type { EvaluationStatus, FindingKind, FindingStatus } from '../../db/schema';
import type { TestDatabase } from './databases';

/* For the evidence tests: findings to attach evidence to, and small files of each kind (only
 * their first bytes matter to the sniffers). */

const unique = () => randomBytes(4).toString('hex');

/**
 * A finding of `organisationId` with everything it hangs on (grade scale, standard, clause,
 * evaluation). By default an open minor nonconformity of an evaluation whose report is issued.
 *
 * Written directly: it is called with the raising person's id only (often an evaluator, who may
 * not create a standard), and with findings in any status and evaluations in any status (a
 * planned one holding a finding, which the rules refuse) for the upload's refusals.
 */
export async function newFinding(
	t: TestDatabase,
	tenantId: string,
	organisationId: string,
	raisedBy: string,
	options: { status?: FindingStatus; kind?: FindingKind; evaluationStatus?: EvaluationStatus } = {}
) {
	const kind = options.kind ?? 'nonconformity';
	return t.db.inTenant({ tenantId, userId: raisedBy }, async (tx) => {
		const base = { tenant_id: tenantId };
		const scale = await tx
			.insertInto('grade_scales')
			.values({ ...base, name_zh: '星级', name_en: 'Stars' })
			.returning('id')
			.executeTakeFirstOrThrow();
		const standard = await tx
			.insertInto('standards')
			.values({
				...base,
				code: `GB/T 27922-${unique()}`,
				title_zh: '商品售后服务评价体系',
				grade_scale_id: scale.id
			})
			.returning('id')
			.executeTakeFirstOrThrow();
		const evaluation = await tx
			.insertInto('evaluations')
			.values({
				...base,
				kind: 'initial',
				organisation_id: organisationId,
				standard_id: standard.id,
				window_start: '2026-06-01',
				window_end: '2026-06-02',
				status: options.evaluationStatus ?? 'report_issued'
			})
			.returning('id')
			.executeTakeFirstOrThrow();
		return tx
			.insertInto('findings')
			.values({
				...base,
				evaluation_id: evaluation.id,
				reference: `NC-${unique()}`,
				kind,
				grade: kind === 'nonconformity' ? 'minor' : null,
				statement: '灭火器过期未更换',
				raised_by: raisedBy,
				raised_on: '2026-06-02',
				due_on: kind === 'nonconformity' ? '2026-08-31' : null,
				status: options.status ?? 'open'
			})
			.returningAll()
			.executeTakeFirstOrThrow();
	});
}

const ascii = (text: string) => Buffer.from(text, 'latin1');

export const PDF_BYTES = Buffer.concat([
	ascii('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\n'),
	Buffer.alloc(600, 0x20),
	ascii('\n%%EOF\n')
]);

export const PNG_BYTES = Buffer.concat([
	Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
	Buffer.from('0000000d49484452000000010000000108060000001f15c489', 'hex'),
	Buffer.alloc(300, 7)
]);

export const JPEG_BYTES = Buffer.concat([
	Buffer.from([0xff, 0xd8, 0xff, 0xe0]),
	ascii('\x00\x10JFIF\x00'),
	Buffer.alloc(100, 1)
]);
export const GIF_BYTES = Buffer.concat([ascii('GIF89a'), Buffer.alloc(50, 2)]);
export const WEBP_BYTES = Buffer.concat([
	ascii('RIFF'),
	Buffer.from([40, 0, 0, 0]),
	ascii('WEBPVP8 '),
	Buffer.alloc(40, 3)
]);
export const ELF_BYTES = Buffer.concat([
	Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]),
	Buffer.alloc(200, 0)
]);
export const EXE_BYTES = Buffer.concat([ascii('MZ\x90\x00'), Buffer.alloc(200, 0)]);

/** A ZIP archive whose entries (stored, with the given contents) carry these names. */
export function zipWith(entries: string[], contentLength = 16): Buffer {
	const parts = entries.map((name) => {
		const nameBytes = Buffer.from(name, 'utf8');
		const header = Buffer.alloc(30);
		header.writeUInt32LE(0x04034b50, 0);
		header.writeUInt16LE(20, 4);
		header.writeUInt32LE(contentLength, 18);
		header.writeUInt32LE(contentLength, 22);
		header.writeUInt16LE(nameBytes.length, 26);
		return Buffer.concat([header, nameBytes, Buffer.alloc(contentLength, 0x41)]);
	});
	const end = Buffer.alloc(22);
	end.writeUInt32LE(0x06054b50, 0);
	return Buffer.concat([...parts, end]);
}

export const DOCX_BYTES = zipWith(['[Content_Types].xml', '_rels/.rels', 'word/document.xml']);
export const XLSX_BYTES = zipWith(['[Content_Types].xml', '_rels/.rels', 'xl/workbook.xml']);
export const PPTX_BYTES = zipWith(['[Content_Types].xml', '_rels/.rels', 'ppt/presentation.xml']);
export const ZIP_BYTES = zipWith(['photos/site-1.jpg', 'photos/site-2.jpg']);

export const TEXT_BYTES = Buffer.from(
	'整改记录\n2026-06-20 已更换灭火器\nReplaced the extinguisher.\n'
);
export const CSV_BYTES = Buffer.from('日期,事项\n2026-06-20,更换灭火器\n');
