import { z } from 'zod';
import { defineJob } from '../definition';

/** One digest per person per day, of the messages held for them (runs hourly; the digest key makes it once a day). */
export const mailDigest = defineJob({
	name: 'mail.digest',
	version: 1,
	queue: 'mail',
	schema: z.object({ tenantId: z.uuid(), window: z.string().max(40) }).strict(),
	options: { attempts: 5 }
});
