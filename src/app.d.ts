import type { Actor } from '$lib/server/actor';
import type { SignedInPerson } from '$lib/server/services/sessions';
import type { Locale } from '../db/schema';

declare global {
	namespace App {
		interface Locals {
			person: SignedInPerson | null;
			actor: Actor | null;
			locale: Locale;
			/** Bodies the signed-in person belongs to (0 when signed out). */
			membershipCount: number;
			/** The acting member's unread notifications (the bell), 0 without one. */
			unreadNotifications: number;
		}
		interface Error {
			message: string;
		}
	}
}

export {};
