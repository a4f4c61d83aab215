import { sql } from 'kysely';
import type { ComplaintStatus, Locale } from '../../../../db/schema';
import type { Tx } from '../db/tenant-scope';
import { tenantJoin } from './tenant-join';
import { updateAtVersion } from './versioned';

/*
 * Complaints (issue 13 item 4): written by a visitor in the body's tenant scope, read and moved
 * on by the body. Row-level security keeps each body's to itself; these queries never name a
 * tenant.
 */

export interface NewComplaint {
	tenantId: string;
	reference: string;
	certificateId: string | null;
	organisationId: string | null;
	name: string;
	email: string;
	phone: string;
	locale: Locale;
	body: string;
	/** Unset: the database's clock. */
	receivedAt?: Date;
}

export function insertComplaint(tx: Tx, complaint: NewComplaint) {
	return tx
		.insertInto('complaints')
		.values({
			tenant_id: complaint.tenantId,
			reference: complaint.reference,
			certificate_id: complaint.certificateId,
			organisation_id: complaint.organisationId,
			complainant_name: complaint.name,
			complainant_email: complaint.email,
			complainant_phone: complaint.phone,
			locale: complaint.locale,
			body: complaint.body,
			received_at: complaint.receivedAt
		})
		.onConflict((oc) => oc.columns(['tenant_id', 'reference']).doNothing())
		.returningAll()
		.executeTakeFirst();
}

/** The scoped body's certificate numbered exactly `number`: what a complaint may name. */
export function findCertificateByNumber(tx: Tx, number: string) {
	return tx
		.selectFrom('certificates')
		.select(['id', 'number', 'organisation_id', 'standard_id'])
		.where('number', '=', number)
		.executeTakeFirst();
}

function complaintsWithNames(tx: Tx) {
	return tx
		.selectFrom('complaints')
		.leftJoin('certificates', tenantJoin('certificates', 'complaints.certificate_id'))
		.leftJoin('organisations', tenantJoin('organisations', 'complaints.organisation_id'))
		.leftJoin('evaluations', tenantJoin('evaluations', 'complaints.evaluation_id'));
}

const LIST_COLUMNS = [
	'complaints.id',
	'complaints.reference',
	'complaints.status',
	'complaints.complainant_name',
	'complaints.received_at',
	'complaints.acknowledged_at',
	'complaints.investigating_at',
	'complaints.closed_at',
	'certificates.number as certificate_number',
	'organisations.legal_name as organisation_name'
] as const;

/** The triage list: newest first, of one status or all; at most `limit`. */
export function listComplaints(tx: Tx, options: { status?: ComplaintStatus; limit: number }) {
	return complaintsWithNames(tx)
		.select(LIST_COLUMNS)
		.$if(!!options.status, (query) => query.where('complaints.status', '=', options.status!))
		.orderBy('complaints.received_at', 'desc')
		.orderBy('complaints.id')
		.limit(options.limit)
		.execute();
}

/** How many complaints are in each status. */
export function countComplaintsByStatus(tx: Tx) {
	return tx
		.selectFrom('complaints')
		.select(['status', (eb) => eb.fn.countAll<string>().as('n')])
		.groupBy('status')
		.execute();
}

export function findComplaint(tx: Tx, id: string, options: { forUpdate?: boolean } = {}) {
	return complaintsWithNames(tx)
		.selectAll('complaints')
		.select([
			'certificates.number as certificate_number',
			'certificates.standard_id as certificate_standard_id',
			'organisations.legal_name as organisation_name',
			'evaluations.status as evaluation_status'
		])
		.where('complaints.id', '=', id)
		.$if(!!options.forUpdate, (query) => query.forUpdate('complaints'))
		.executeTakeFirst();
}

/** A step: the new status, its date column set to `at`, the version moved on. */
export function setComplaintStatus(
	tx: Tx,
	id: string,
	version: number,
	change: {
		status: ComplaintStatus;
		at: Date;
		evaluationId?: string;
	}
) {
	const dateColumn =
		change.status === 'acknowledged'
			? 'acknowledged_at'
			: change.status === 'investigating'
				? 'investigating_at'
				: change.status === 'received'
					? null
					: 'closed_at';
	return updateAtVersion(tx, 'complaints', id, version, {
		status: change.status,
		...(dateColumn ? { [dateColumn]: change.at } : {}),
		...(change.evaluationId ? { evaluation_id: change.evaluationId } : {})
	});
}

/**
 * The complainant's status lookup: the complaint with this reference whose email is `email`
 * (without case). Only the status and the dates: nothing the body wrote about it.
 */
export function findComplaintStatus(tx: Tx, reference: string, email: string) {
	return tx
		.selectFrom('complaints')
		.select([
			'reference',
			'status',
			'received_at',
			'acknowledged_at',
			'investigating_at',
			'closed_at'
		])
		.where('reference', '=', reference)
		.where(sql<string>`lower(complainant_email)`, '=', email.toLowerCase())
		.executeTakeFirst();
}

/** The evaluations opened from complaints, by id: the evaluation page's link back. */
export function findComplaintOfEvaluation(tx: Tx, evaluationId: string) {
	return tx
		.selectFrom('evaluations')
		.innerJoin('complaints', tenantJoin('complaints', 'evaluations.complaint_id'))
		.select(['complaints.id', 'complaints.reference'])
		.where('evaluations.id', '=', evaluationId)
		.executeTakeFirst();
}

/** A complaint's attached files (issue 13 item 4), written with the complaint. */
export function insertComplaintFiles(
	tx: Tx,
	rows: {
		tenantId: string;
		complaintId: string;
		sha256: string;
		sizeBytes: number;
		detectedType: string;
		originalName: string;
		uploadedAt?: Date;
	}[]
) {
	if (rows.length === 0) return Promise.resolve([]);
	return tx
		.insertInto('complaint_files')
		.values(
			rows.map((row) => ({
				tenant_id: row.tenantId,
				complaint_id: row.complaintId,
				sha256: row.sha256,
				size_bytes: row.sizeBytes,
				detected_type: row.detectedType,
				original_name: row.originalName,
				...(row.uploadedAt ? { uploaded_at: row.uploadedAt } : {})
			}))
		)
		.returning(['id', 'original_name', 'size_bytes', 'detected_type'])
		.execute();
}

/** A complaint's files by name (they share the complaint's moment). */
export function listComplaintFiles(tx: Tx, complaintId: string) {
	return tx
		.selectFrom('complaint_files')
		.select(['id', 'original_name', 'size_bytes', 'detected_type', 'uploaded_at'])
		.where('complaint_id', '=', complaintId)
		.orderBy('uploaded_at')
		.orderBy('original_name')
		.execute();
}

export function findComplaintFile(tx: Tx, complaintId: string, fileId: string) {
	return tx
		.selectFrom('complaint_files')
		.select(['id', 'sha256', 'original_name', 'size_bytes', 'detected_type'])
		.where('complaint_id', '=', complaintId)
		.where('id', '=', fileId)
		.executeTakeFirst();
}
