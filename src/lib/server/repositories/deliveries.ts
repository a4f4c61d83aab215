import type { Tx } from '../db/tenant-scope';

/** The outbox row the Deliveries page's "retry" acts on: just its status. */
export function findDeliveryStatus(tx: Tx, id: string) {
	return tx.selectFrom('outbox').select(['id', 'status']).where('id', '=', id).executeTakeFirst();
}
