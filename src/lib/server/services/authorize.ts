import {
	check,
	type Capability,
	type PermissionActor,
	type SubjectArgs
} from '../domain/permissions';
import { refusalOf } from '../errors';

/**
 * Services call this before any work: the same `check` the procedure builders, form actions and
 * page flags read, turned into the Refusal the user sees (FORBIDDEN with the rule's reason).
 */
export function authorize<C extends Capability>(
	actor: PermissionActor,
	capability: C,
	...subject: SubjectArgs<C>
): void {
	const result = check(actor, capability, ...subject);
	if (!result.ok) throw refusalOf(result);
}
