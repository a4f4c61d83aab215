import { z } from 'zod';
import {
	blankAsNull,
	blankAsUndefined,
	email,
	id,
	idWith,
	password,
	role,
	text
} from './common.schema';

/** Giving a person a role in the tenant: the people form and `members.add` alike. */
export const addMemberInput = z.object({
	email,
	/** Needed only when the email names nobody yet. */
	name: blankAsUndefined(text(100)).optional(),
	/** The new person's initial password; an existing identity keeps theirs. */
	password: blankAsUndefined(password).optional(),
	role,
	/** Empty: none (CB roles), or the organisation admin's own organisation. */
	organisationId: blankAsNull(id).optional()
});

/** The invitee's answer: `members.answerInvitation` and the invitations form alike. */
export const answerInvitationInput = z.object({
	invitationId: idWith('invitations_gone'),
	answer: z.enum(['accepted', 'declined'], { error: 'invitations_gone' })
});

/** One membership acted on (deactivate, reactivate): the people page's row forms and tRPC alike. */
export const memberInput = z.object({
	membershipId: idWith('error_not_found')
});

/** A membership's new role; an organisation role names its organisation (empty: the actor's own). */
export const changeRoleInput = z.object({
	membershipId: idWith('error_not_found'),
	role,
	organisationId: blankAsNull(id).optional()
});

/** An open invitation sent again. */
export const resendInvitationInput = z.object({
	invitationId: idWith('invitations_gone')
});
