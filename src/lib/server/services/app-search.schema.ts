import { z } from 'zod';
import { text } from './common.schema';

/** What the header's search box sends: `/search?q=…` and the tRPC query alike. */
export const appSearchSchema = z.object({ q: text(100).default('') });

/** Fewer characters than this match too much to be worth a query. */
export const SEARCH_MIN_LENGTH = 2;
