import type { RedisStatus } from '../redis';
import {
	ADDRESS_POLICY,
	EMAIL_POLICY,
	stricter,
	throttleVerdict,
	type ThrottlePolicy,
	type ThrottleVerdict
} from '../domain/login-throttle';

interface Count {
	failures: number;
	secondsLeft: number;
}

/** Failure counts with expiry: in Redis when it is up (shared by every web process), else here. */
interface CountStore {
	read(key: string): Promise<Count>;
	increment(key: string, windowSeconds: number): Promise<void>;
	clear(key: string): Promise<void>;
}

class MemoryCountStore implements CountStore {
	#counts = new Map<string, { failures: number; resetsAt: number }>();
	constructor(private now: () => number) {}

	async read(key: string): Promise<Count> {
		const entry = this.#counts.get(key);
		if (!entry || entry.resetsAt <= this.now()) return { failures: 0, secondsLeft: 0 };
		return { failures: entry.failures, secondsLeft: (entry.resetsAt - this.now()) / 1000 };
	}
	async increment(key: string, windowSeconds: number) {
		const entry = this.#counts.get(key);
		if (!entry || entry.resetsAt <= this.now())
			this.#counts.set(key, { failures: 1, resetsAt: this.now() + windowSeconds * 1000 });
		else entry.failures += 1;
		if (this.#counts.size > 100_000) this.#sweep();
	}
	async clear(key: string) {
		this.#counts.delete(key);
	}
	#sweep() {
		for (const [key, entry] of this.#counts)
			if (entry.resetsAt <= this.now()) this.#counts.delete(key);
	}
}

class RedisCountStore implements CountStore {
	constructor(
		private redis: NonNullable<ReturnType<RedisStatus['client']>>,
		private prefix: string
	) {}
	async read(key: string): Promise<Count> {
		const [failures, ttl] = await this.redis
			.multi()
			.get(this.prefix + key)
			.pttl(this.prefix + key)
			.exec()
			.then((replies) => (replies ?? []).map(([, value]) => value));
		return { failures: Number(failures ?? 0), secondsLeft: Math.max(0, Number(ttl ?? 0)) / 1000 };
	}
	async increment(key: string, windowSeconds: number) {
		// The window starts with the first failure (NX), like the memory store.
		await this.redis
			.multi()
			.incr(this.prefix + key)
			.expire(this.prefix + key, windowSeconds, 'NX')
			.exec();
	}
	async clear(key: string) {
		await this.redis.del(this.prefix + key);
	}
}

export interface SignInLimiter {
	/** Before checking a password: refuse, or allow after the given delay. */
	check(email: string, address: string): Promise<ThrottleVerdict>;
	recordFailure(email: string, address: string): Promise<void>;
	recordSuccess(email: string): Promise<void>;
}

export function createSignInLimiter(options: {
	redis: RedisStatus | null;
	prefix: string;
	now?: () => number;
}): SignInLimiter {
	const memory = new MemoryCountStore(options.now ?? Date.now);
	const prefix = `${options.prefix}:signin:`;
	const store = (): CountStore => {
		const client = options.redis?.client();
		return client ? new RedisCountStore(client, prefix) : memory;
	};
	// A Redis error mid-request falls back to this process's counts rather than failing sign-in.
	const withStore = async <T>(work: (s: CountStore) => Promise<T>): Promise<T> => {
		try {
			return await work(store());
		} catch {
			return work(memory);
		}
	};
	const keys = (email: string, address: string) =>
		[
			[`email:${email.trim().toLowerCase()}`, EMAIL_POLICY],
			[`addr:${address}`, ADDRESS_POLICY]
		] as [string, ThrottlePolicy][];

	return {
		check: (email, address) =>
			withStore(async (s) => {
				const verdicts = await Promise.all(
					keys(email, address).map(async ([key, policy]) => {
						const count = await s.read(key);
						return throttleVerdict(policy, count.failures, count.secondsLeft);
					})
				);
				return verdicts.reduce(stricter);
			}),
		recordFailure: (email, address) =>
			withStore(async (s) => {
				for (const [key, policy] of keys(email, address))
					await s.increment(key, policy.windowSeconds);
			}),
		recordSuccess: (email) => withStore((s) => s.clear(`email:${email.trim().toLowerCase()}`))
	};
}
