import type { App } from '../src/lib/server/app';
import { createProducer, type Producer } from './producer';
import { requestDeliveries, requestEvidenceChecks } from './producer-helpers';

/*
 * What request paths call after their transaction commits. Never waits on Redis: without it
 * these return false at once, and the periodic sweeps do the work within their interval
 * (in timer mode, within a minute).
 */

const producers = new WeakMap<App, Producer>();

function producerFor(app: App): Producer {
	let producer = producers.get(app);
	if (!producer) {
		producer = createProducer({ url: app.config.redisUrl, prefix: app.config.redisPrefix });
		producers.set(app, producer);
	}
	return producer;
}

/** After an evidence upload commits: check the stored bytes and tell the lead evaluator. */
export function enqueueEvidenceVerification(
	app: App,
	evidence: { tenantId: string; evidenceIds: string[] }
): Promise<boolean> {
	if (!app.redis?.available()) return Promise.resolve(false);
	return requestEvidenceChecks(producerFor(app), evidence.tenantId, evidence.evidenceIds);
}

/** After a transaction that called enqueueMessage commits: send its messages now. */
export function requestDelivery(app: App, tenantId: string, outboxIds: string[]): Promise<boolean> {
	if (!app.redis?.available()) return Promise.resolve(false);
	return requestDeliveries(producerFor(app), tenantId, outboxIds);
}

/**
 * Nudges delivery after every committed transaction that wrote event messages (the services
 * note their outbox rows on the transaction: db/tenant-scope.ts). Fire and forget: the request
 * has its answer already, and without Redis the delivery sweep sends them within its interval.
 */
export function nudgeDeliveryAfterCommit(app: App): void {
	app.db.onOutboxCommitted((tenantId, outboxIds) => {
		requestDelivery(app, tenantId, outboxIds).catch(() => false);
	});
}

/** Lets go of the request-path producer (App.close calls this through the hooks' shutdown). */
export async function closeProducer(app: App): Promise<void> {
	app.db.onOutboxCommitted(null);
	await producers.get(app)?.close();
	producers.delete(app);
}
