import type { App } from '../app';
import type { Actor } from '../actor';
import type { SignedInPerson } from '../services/sessions';
import type { Locale } from '../../../../db/schema';

export interface TrpcContext {
	app: App;
	person: SignedInPerson | null;
	actor: Actor | null;
	locale: Locale;
}
