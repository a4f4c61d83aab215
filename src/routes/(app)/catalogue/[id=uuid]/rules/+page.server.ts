import type { Actions, PageServerLoad } from './$types';
import { formAction, pageLoad } from '$lib/server/pages';
import { DEFAULT_SCHEME_RULES } from '$lib/server/domain/scheme-rules';
import { getStandard } from '$lib/server/services/standards';
import { updateSchemeRules } from '$lib/server/services/scheme-rules';
import {
	SCHEME_RULE_BOUNDS,
	updateSchemeRulesInput
} from '$lib/server/services/scheme-rules.schema';

export const load = pageLoad('catalogue.manage', async ({ db, actor, event: { params } }) => {
	const standard = await getStandard(db, actor, params.id);
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
}) satisfies PageServerLoad;

export const actions: Actions = {
	save: formAction(
		'catalogue.manage',
		updateSchemeRulesInput,
		async ({ db, actor, input: { standardId, version, ...rules } }) => {
			await updateSchemeRules(db, actor, standardId, version, rules);
			return { saved: true };
		},
		{ idAs: 'standardId' }
	)
};
