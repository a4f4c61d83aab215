import { z } from 'zod';

/** An .eml file the app wrote: `<outbox id>.eml` — nothing with a slash or dots before it. */
export const mailboxFile = z.string().regex(/^[A-Za-z0-9_-]{1,80}\.eml$/);
