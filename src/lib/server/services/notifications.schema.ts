import { z } from 'zod';
import { id } from './common.schema';

export const markReadInput = z.object({ id });
export const markAllReadInput = z.object({});
export const mailModeInput = z.object({ mode: z.enum(['immediate', 'digest']) });
