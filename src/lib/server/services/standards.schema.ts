import { z } from 'zod';
import { blankAsNull, id, idWith, requiredText, text, version } from './common.schema';

/* The inputs of the standards' use cases; the tRPC procedures and the form actions both parse them. */

const standardShape = {
	code: requiredText(60).transform((code) => code.replace(/\s+/g, ' ')),
	titleZh: requiredText(200),
	titleEn: text(200).default(''),
	category: text(60).default(''),
	categoryEn: text(60).default(''),
	/** A form's "no scale" option posts ''. */
	gradeScaleId: blankAsNull(idWith('catalogue_error_grade_scale_unknown')).default(null)
};

/** A new standard. */
export const createStandardInput = z.object(standardShape);
export type StandardInput = z.input<typeof createStandardInput>;

/** A standard's fields, as edited from `version`. */
export const updateStandardInput = z.object({ id, version, ...standardShape });

/** One standard to read (with its clauses, grade scale and scheme rules). */
export const standardIdInput = z.object({ id });
