import { z } from 'zod';
import { ORG_ROLES } from '../domain/roles';
import { normaliseUscc, usccProblem } from '../domain/uscc';
import {
	blankAsUndefined,
	checkbox,
	cursor,
	email,
	id,
	idWith,
	password,
	requiredText,
	search,
	text,
	version
} from './common.schema';

/*
 * The inputs of the organisation use cases: one schema each, read by the tRPC procedure and by
 * the form action alike (forms post strings, the API typed values; both parse here).
 */

/** 统一社会信用代码: normalised, and refused with what is wrong (length, characters, check digit). */
const uscc = requiredText(40)
	.transform(normaliseUscc)
	.superRefine((value, ctx) => {
		const problem = usccProblem(value);
		if (problem) ctx.addIssue({ code: 'custom', message: `error_uscc_${problem}` });
	});

const organisationFields = {
	legalName: requiredText(200),
	uscc,
	address: text(500).default('')
};

/** The list's orders: by name or by USCC. */
export const ORGANISATION_SORTS = ['name', 'uscc'] as const;
export type OrganisationSort = (typeof ORGANISATION_SORTS)[number];

/** The list's search, order and page. */
export const listOrganisationsInput = z
	.object({
		search: search(100),
		sort: blankAsUndefined(z.enum(ORGANISATION_SORTS, { error: 'error_invalid_sort' })).optional(),
		cursor
	})
	.default({});

/** How many organisations a search-as-you-type field offers at a time. */
export const ORGANISATION_SEARCH_LIMIT = 20;

/** Search-as-you-type (a list filter's organisation field): name or USCC text, blank for the first. */
export const searchOrganisationsInput = z.object({ query: search(100) }).default({});

/** One organisation (its page, timeline, users). */
export const organisationRef = z.object({ id });

export const createOrganisationInput = z.object(organisationFields);

export const updateOrganisationInput = z.object({ ...organisationFields, id, version });

/* Contacts: the organisation's people who get reminders (SPEC §3). */

const contactFields = {
	name: requiredText(100),
	email: email.pipe(z.string().max(200, { error: 'error_too_long' })),
	phone: text(50).default(''),
	locale: z.enum(['zh-CN', 'en'], { error: 'organisations_error_locale_invalid' }).default('zh-CN'),
	/** A form's unticked checkbox sends nothing: not receiving reminders. */
	receivesReminders: checkbox
};

/** A contact that is not (or no longer) there: the same words for a bad id as for a gone one. */
const contactId = idWith('organisations_error_contact_gone');

export const addContactInput = z.object({ ...contactFields, organisationId: id });

export const updateContactInput = z.object({ ...contactFields, id: contactId });

export const removeContactInput = z.object({ id: contactId });

/** An invitation of an organisation user: a new person needs a name and an initial password. */
export const inviteInput = z.object({
	organisationId: id,
	email,
	name: blankAsUndefined(text(100)).optional(),
	password: blankAsUndefined(password).optional(),
	role: z.enum(ORG_ROLES, { error: 'organisations_error_invite_role' })
});
