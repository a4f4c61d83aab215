import { z } from 'zod';
import { id } from './common.schema';

export const DELIVERY_STATUSES = ['pending', 'sent', 'failed', 'held', 'digested'] as const;

export const deliveryFilter = z.object({
	status: z.enum(DELIVERY_STATUSES).optional().catch(undefined)
});

export const retryDeliveryInput = z.object({ id });
