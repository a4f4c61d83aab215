import type { ParamMatcher } from '@sveltejs/kit';
import { isExportList } from '$lib/exports';

/** The lists that export (`/findings/export.csv`); other addresses are left to their routes. */
export const match = ((param: string) => isExportList(param)) satisfies ParamMatcher;
