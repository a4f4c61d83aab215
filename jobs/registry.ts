import { deliverOutboxJob } from './deliver-outbox';
import type { JobDefinition } from './definition';

/** Every job the workers run. A job enqueued under a name not listed here fails loudly. */
export const jobs: JobDefinition[] = [deliverOutboxJob as unknown as JobDefinition];
