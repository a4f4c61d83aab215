import type { RedisStatus } from '../redis';
import {
	ADDRESS_POLICY,
	PAIR_POLICY,
	stricter,
	throttleVerdict,
	type ThrottlePolicy,
	type ThrottleVerdict
} from '../domain/login-throttle';

interface Count {
	attempts: number;
	secondsLeft: number;
}

/**
 * Attempt counts with expiry: in Redis when it is up (shared by every web process), else here.
 * `add` counts one attempt and answers the count with it, in one atomic step, so parallel
 * attempts each see a different count (issue 8 item 22: 30 at once got 14 passwords checked).
 */
interface CountStore {
	read(key: string): Promise<Count>;
	add(key: string, windowSeconds: number): Promise<Count>;
	/** Takes one attempt back (it succeeded), never below zero. */
	remove(key: string): Promise<void>;
	clear(key: string): Promise<void>;
}

class MemoryCountStore implements CountStore {
	#counts = new Map<string, { attempts: number; resetsAt: number }>();
	constructor(private now: () => number) {}

	#live(key: string) {
		const entry = this.#counts.get(key);
		return entry && entry.resetsAt > this.now() ? entry : undefined;
	}
	async read(key: string): Promise<Count> {
		const entry = this.#live(key);
		if (!entry) return { attempts: 0, secondsLeft: 0 };
		return { attempts: entry.attempts, secondsLeft: (entry.resetsAt - this.now()) / 1000 };
	}
	async add(key: string, windowSeconds: number): Promise<Count> {
		// No await between reading and writing: atomic within this process.
		let entry = this.#live(key);
		if (!entry) {
			entry = { attempts: 0, resetsAt: this.now() + windowSeconds * 1000 };
			this.#counts.set(key, entry);
		}
		entry.attempts += 1;
		if (this.#counts.size > 100_000) this.#sweep();
		return { attempts: entry.attempts, secondsLeft: (entry.resetsAt - this.now()) / 1000 };
	}
	async remove(key: string) {
		const entry = this.#live(key);
		if (entry && entry.attempts > 0) entry.attempts -= 1;
	}
	async clear(key: string) {
		this.#counts.delete(key);
	}
	#sweep() {
		for (const [key, entry] of this.#counts)
			if (entry.resetsAt <= this.now()) this.#counts.delete(key);
	}
}

/** DECR that stops at zero and leaves the expiry alone. */
const REMOVE_ONE = `local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if n > 0 then return redis.call('DECR', KEYS[1]) end
return 0`;

class RedisCountStore implements CountStore {
	constructor(
		private redis: NonNullable<ReturnType<RedisStatus['client']>>,
		private prefix: string
	) {}
	async read(key: string): Promise<Count> {
		const [attempts, ttl] = await this.redis
			.multi()
			.get(this.prefix + key)
			.pttl(this.prefix + key)
			.exec()
			.then((replies) => (replies ?? []).map(([, value]) => value));
		return { attempts: Number(attempts ?? 0), secondsLeft: Math.max(0, Number(ttl ?? 0)) / 1000 };
	}
	async add(key: string, windowSeconds: number): Promise<Count> {
		// MULTI/EXEC runs as one step; the window starts with the first attempt (NX).
		const replies = await this.redis
			.multi()
			.incr(this.prefix + key)
			.expire(this.prefix + key, windowSeconds, 'NX')
			.pttl(this.prefix + key)
			.exec();
		if (!replies || replies.some(([error]) => error)) throw new Error('Redis count failed');
		const attempts = Number(replies[0]?.[1]);
		const ttl = Number(replies[2]?.[1]);
		return { attempts, secondsLeft: Math.max(0, ttl) / 1000 };
	}
	async remove(key: string) {
		await this.redis.eval(REMOVE_ONE, 1, this.prefix + key);
	}
	async clear(key: string) {
		await this.redis.del(this.prefix + key);
	}
}

export interface SignInLimiter {
	/**
	 * Counts this attempt before its password is checked, and answers from the attempts before
	 * it: refuse, or allow after the given delay. The attempt stays counted as a failure unless
	 * `recordSuccess` takes it back.
	 */
	reserve(email: string, address: string): Promise<ThrottleVerdict>;
	/** What the next attempt would be told, counting nothing. */
	check(email: string, address: string): Promise<ThrottleVerdict>;
	/** Counts a failed attempt made elsewhere (the same as a reservation whose answer is unused). */
	recordFailure(email: string, address: string): Promise<void>;
	/** The reserved attempt succeeded: the pair starts afresh and the address gets it back. */
	recordSuccess(email: string, address: string): Promise<void>;
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
	const pairKey = (email: string, address: string) =>
		`pair:${email.trim().toLowerCase()}|${address}`;
	const keys = (email: string, address: string) =>
		[
			[pairKey(email, address), PAIR_POLICY],
			[`addr:${address}`, ADDRESS_POLICY]
		] as [string, ThrottlePolicy][];
	const reserve = (email: string, address: string) =>
		withStore(async (s) => {
			const verdicts = await Promise.all(
				keys(email, address).map(async ([key, policy]) => {
					const count = await s.add(key, policy.windowSeconds);
					return throttleVerdict(policy, count.attempts - 1, count.secondsLeft);
				})
			);
			return verdicts.reduce(stricter);
		});

	return {
		reserve,
		check: (email, address) =>
			withStore(async (s) => {
				const verdicts = await Promise.all(
					keys(email, address).map(async ([key, policy]) => {
						const count = await s.read(key);
						return throttleVerdict(policy, count.attempts, count.secondsLeft);
					})
				);
				return verdicts.reduce(stricter);
			}),
		recordFailure: async (email, address) => {
			await reserve(email, address);
		},
		recordSuccess: (email, address) =>
			withStore(async (s) => {
				await s.clear(pairKey(email, address));
				await s.remove(`addr:${address}`);
			})
	};
}

/** Requests counted per client address in a fixed window (public pages with no sign-in). */
export interface AddressLimiter {
	/** Counts this request and says whether it is over the limit. */
	hit(address: string): Promise<ThrottleVerdict>;
}

/**
 * The sign-in limiter's counting (Redis when up, this process otherwise) for any per-address
 * limit: `name` keeps its keys apart, `policy` says how many requests a window allows.
 */
export function createAddressLimiter(options: {
	redis: RedisStatus | null;
	prefix: string;
	name: string;
	policy: ThrottlePolicy;
	now?: () => number;
}): AddressLimiter {
	const memory = new MemoryCountStore(options.now ?? Date.now);
	const prefix = `${options.prefix}:${options.name}:`;
	const store = (): CountStore => {
		const client = options.redis?.client();
		return client ? new RedisCountStore(client, prefix) : memory;
	};
	const count = async (s: CountStore, address: string) => {
		const { attempts, secondsLeft } = await s.add(`addr:${address}`, options.policy.windowSeconds);
		return throttleVerdict(options.policy, attempts - 1, secondsLeft);
	};
	return {
		hit: async (address) => {
			try {
				return await count(store(), address);
			} catch {
				return count(memory, address);
			}
		}
	};
}
