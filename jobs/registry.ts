import type { BoundJob, JobDefinitionShape } from './definition';
import { jobName } from './definition';
import { chaseFanout } from './chase-fanout/definition';
import { handleChaseFanout } from './chase-fanout/handler';
import { chaseTenant } from './chase-tenant/definition';
import { handleChaseTenant } from './chase-tenant/handler';
import { mailDeliver } from './mail-deliver/definition';
import { handleMailDeliver } from './mail-deliver/handler';
import { mailSweep } from './mail-sweep/definition';
import { handleMailSweep } from './mail-sweep/handler';
import { mailDigest } from './mail-digest/definition';
import { handleMailDigest } from './mail-digest/handler';
import { evidenceVerify } from './evidence-verify/definition';
import { handleEvidenceVerify } from './evidence-verify/handler';
import { auditCheckpoint } from './audit-checkpoint/definition';
import { handleAuditCheckpoint } from './audit-checkpoint/handler';

/** Every job there is. A producer may only add these. */
export const definitions: readonly JobDefinitionShape[] = [
	chaseFanout,
	chaseTenant,
	mailDeliver,
	mailSweep,
	mailDigest,
	evidenceVerify,
	auditCheckpoint
];

/** Every handler, bound to its definition (which types its data by the schema). */
export const handlers: readonly BoundJob[] = [
	chaseFanout.bind(handleChaseFanout),
	chaseTenant.bind(handleChaseTenant),
	mailDeliver.bind(handleMailDeliver),
	mailSweep.bind(handleMailSweep),
	mailDigest.bind(handleMailDigest),
	evidenceVerify.bind(handleEvidenceVerify),
	auditCheckpoint.bind(handleAuditCheckpoint)
];

export class RegistryMismatch extends Error {
	constructor(readonly problems: string[]) {
		super(`job registry is inconsistent: ${problems.join('; ')}`);
		this.name = 'RegistryMismatch';
	}
}

/**
 * Each definition has exactly one handler and each handler a registered definition (the same
 * object, so the same version); throws RegistryMismatch otherwise. Workers check this first and
 * refuse to start on a mismatch. Returns the handlers by BullMQ job name.
 */
export function checkRegistry(
	defs: readonly JobDefinitionShape[] = definitions,
	bound: readonly BoundJob[] = handlers
): Map<string, BoundJob> {
	const problems: string[] = [];
	const byName = new Map<string, BoundJob>();
	for (const job of bound) {
		const name = jobName(job.definition);
		if (byName.has(name)) problems.push(`two handlers for ${name}`);
		byName.set(name, job);
		if (!defs.includes(job.definition))
			problems.push(`handler ${name} has no registered definition`);
	}
	for (const definition of defs)
		if (!bound.some((job) => job.definition === definition))
			problems.push(`definition ${jobName(definition)} has no handler`);
	if (problems.length) throw new RegistryMismatch(problems);
	return byName;
}

export function handlerFor(definition: JobDefinitionShape, bound: readonly BoundJob[] = handlers) {
	const job = bound.find((candidate) => candidate.definition === definition);
	if (!job) throw new RegistryMismatch([`definition ${jobName(definition)} has no handler`]);
	return job;
}
