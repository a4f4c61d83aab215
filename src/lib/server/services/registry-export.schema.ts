import { z } from 'zod';
import { blankAsUndefined, isoDate } from './common.schema';

/*
 * The period of a registry export (`/reports/registry?month=2026-11` or `?from=&to=`): a month,
 * or two days; all left out for last month in the body's zone. The order and the longest span
 * are the domain's rule (domain/registry-export.ts), checked by the service.
 */
export const registryPeriodInput = z
	.object({
		month: blankAsUndefined(
			z
				.string({ error: 'registry_error_month_invalid' })
				.trim()
				.regex(/^\d{4}-(0[1-9]|1[0-2])$/, { error: 'registry_error_month_invalid' })
		),
		from: blankAsUndefined(isoDate('registry_error_date_invalid')),
		to: blankAsUndefined(isoDate('registry_error_date_invalid'))
	})
	.default({});
export type RegistryPeriodInput = z.output<typeof registryPeriodInput>;
