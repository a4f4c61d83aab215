import { error } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { runtimeApp } from '$lib/server/runtime';
import { requireActor } from '$lib/server/guards';
import { Refusal } from '$lib/server/errors';
import { translate } from '$lib/server/i18n/translate';
import { DEFAULT_SCHEME_RULES } from '$lib/server/domain/scheme-rules';
import {
	getStandard,
	SCHEME_RULE_BOUNDS,
	schemeRulesInput,
	updateSchemeRules
} from '$lib/server/services/catalogue';
import { invalid, refused, textField, UUID, wholeNumber } from '../../forms.server';

const NUMBER_FIELDS = [
	'certificateValidityMonths',
	'firstSurveillanceMonths',
	'maxSurveillanceGapMonths',
	'majorDueDays',
	'minorDueDays',
	'maxSuspensionMonths',
	'suspendWithinDays'
] as const;

export const load: PageServerLoad = async ({ locals, params }) => {
	const actor = requireActor(locals, 'admin');
	if (!UUID.test(params.id)) error(404, translate('error_not_found', locals.locale));
	try {
		const standard = await getStandard((await runtimeApp()).db, actor, params.id);
		return {
			standard: {
				id: standard.id,
				code: standard.code,
				title_zh: standard.title_zh,
				title_en: standard.title_en
			},
			rules: standard.schemeRules,
			defaults: DEFAULT_SCHEME_RULES,
			bounds: SCHEME_RULE_BOUNDS
		};
	} catch (cause) {
		if (cause instanceof Refusal) error(404, translate(cause.messageKey, locals.locale));
		throw cause;
	}
};

export const actions: Actions = {
	save: async ({ locals, params, request }) => {
		const actor = requireActor(locals, 'admin');
		const form = await request.formData();
		const numbers = Object.fromEntries(
			NUMBER_FIELDS.map((field) => [field, textField(form, field)])
		) as Record<(typeof NUMBER_FIELDS)[number], string>;
		const values = {
			...numbers,
			firstSurveillanceFrom: textField(form, 'firstSurveillanceFrom'),
			overdueMinorBecomesMajor: form.get('overdueMinorBecomesMajor') === 'on' ? 'on' : '',
			version: textField(form, 'version')
		};
		const input = {
			...Object.fromEntries(NUMBER_FIELDS.map((field) => [field, wholeNumber(numbers[field])])),
			firstSurveillanceFrom: values.firstSurveillanceFrom,
			overdueMinorBecomesMajor: values.overdueMinorBecomesMajor === 'on'
		};
		const parsed = schemeRulesInput.safeParse(input);
		if (!parsed.success) return invalid(values, parsed.error, locals.locale);
		try {
			await updateSchemeRules(
				(await runtimeApp()).db,
				actor,
				params.id,
				wholeNumber(values.version),
				parsed.data
			);
		} catch (cause) {
			return refused(cause, values, locals.locale);
		}
		return { saved: true };
	}
};
