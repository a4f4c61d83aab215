import type { ParamMatcher } from '@sveltejs/kit';
import { isExportFormat } from '$lib/exports';

export const match = ((param: string) => isExportFormat(param)) satisfies ParamMatcher;
