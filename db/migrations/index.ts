import type { Migration, MigrationProvider } from 'kysely';
import * as schema from './2026-11-26-01-schema';
import * as tenantIsolation from './2026-11-26-02-tenant-isolation';
import * as findingLists from './2026-11-26-03-finding-lists';
import * as chase from './2026-12-02-01-chase';
import * as obligationEvidence from './2026-12-02-02-obligation-evidence';
import * as membershipInvitations from './2026-12-02-03-membership-invitations';
import * as outboxParams from './2026-12-02-10-outbox-params';
import * as databaseRoles from './2026-12-02-11-database-roles';
import * as findingReferences from './2026-12-03-02-finding-references';
import * as standardCategoryEn from './2026-12-03-03-standard-category-en';
import * as passwordCheckThrottle from './2026-12-03-06-password-check-throttle';
import * as evidenceReview from './2026-12-03-10-evidence-review';
import * as calendarFeeds from './2026-12-03-14-calendar-feeds';
import * as publicVerification from './2026-12-03-17-public-verification';
import * as tenantSettings from './2026-12-04-01-tenant-settings';
import * as certificateGrant from './2026-12-04-02-certificate-grant';
import * as certificateRenewal from './2026-12-04-03-certificate-renewal';
import * as evaluationScores from './2026-12-04-04-evaluation-scores';
import * as serviceSystem from './2026-12-04-05-service-system';
import * as people from './2026-12-04-06-people';
import * as documents from './2026-12-04-07-documents';
import * as complaints from './2026-12-04-08-complaints';
import * as evidenceVersions from './2026-12-04-09-evidence-versions';
import * as complaintFiles from './2026-12-04-10-complaint-files';
import * as accreditationBody from './2026-12-07-02-accreditation-body';
import * as previousBodyHistory from './2026-12-07-03-previous-body-history';

/*
 * Listed statically (not read from disk) so the built server bundles them and can migrate the
 * embedded database at start. Files are named by date and frozen once landed.
 */
export const migrations: Record<string, Migration> = {
	'2026-11-26-01-schema': schema,
	'2026-11-26-02-tenant-isolation': tenantIsolation,
	'2026-11-26-03-finding-lists': findingLists,
	'2026-12-02-01-chase': chase,
	'2026-12-02-02-obligation-evidence': obligationEvidence,
	'2026-12-02-03-membership-invitations': membershipInvitations,
	'2026-12-02-10-outbox-params': outboxParams,
	'2026-12-02-11-database-roles': databaseRoles,
	'2026-12-03-02-finding-references': findingReferences,
	'2026-12-03-03-standard-category-en': standardCategoryEn,
	'2026-12-03-06-password-check-throttle': passwordCheckThrottle,
	'2026-12-03-10-evidence-review': evidenceReview,
	'2026-12-03-14-calendar-feeds': calendarFeeds,
	'2026-12-03-17-public-verification': publicVerification,
	'2026-12-04-01-tenant-settings': tenantSettings,
	'2026-12-04-02-certificate-grant': certificateGrant,
	'2026-12-04-03-certificate-renewal': certificateRenewal,
	'2026-12-04-04-evaluation-scores': evaluationScores,
	'2026-12-04-05-service-system': serviceSystem,
	'2026-12-04-06-people': people,
	'2026-12-04-07-documents': documents,
	'2026-12-04-08-complaints': complaints,
	'2026-12-04-09-evidence-versions': evidenceVersions,
	'2026-12-04-10-complaint-files': complaintFiles,
	'2026-12-07-02-accreditation-body': accreditationBody,
	'2026-12-07-03-previous-body-history': previousBodyHistory
};

export const migrationProvider: MigrationProvider = {
	getMigrations: async () => migrations
};
