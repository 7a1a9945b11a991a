// Failed slip lookups, counted per client address (per official for paper entry), and slowed.
//
// A valid code is never refused or delayed for anyone's failures: the code is looked up first, and
// only a miss (404 SLIP_NOT_FOUND) reaches this limiter. A village hall is one NAT address where
// 1,000 villagers open and submit their own slips within the hour, and one person there typing
// wrong codes must not shut them out. So the limiter cannot refuse anything before the lookup; what
// it does is slow the misses: past FAILURE_LIMIT misses in a window, each further miss from that
// key is answered (still the same 404) only after FAILURE_DELAY_MS. It adds no probe: a miss is a
// 404 with or without the limiter, a hit a 200 or 201 with or without it.
//
// The guessing probability that remains. A token is 16 characters of a 32-character alphabet
// (ballots.rules.ts TOKEN_ALPHABET, TOKEN_LENGTH): 32^16 = 2^80 ≈ 1.2 × 10^24 codes. Take L = 10^5
// live slips (a whole county's open meetings at once; a slip is live only while its session is
// open and until used).
// - One client asking one code at a time: at most 100 misses in the first 10 minutes, then one per
//   2 s, so under 100 + 300 = 400 per 10 minutes: 400 × 6 × 24 × 365 ≈ 2.1 × 10^7 guesses a year,
//   P(any hit) ≤ 2.1 × 10^7 × 10^5 / 1.2 × 10^24 ≈ 1.7 × 10^-12 per address and year.
// - Many requests in parallel: a delay does not bound those, and nothing that lets every valid code
//   through promptly can (each lookup must be made to know it is valid). The bound is then the
//   server itself: even at 10^4 lookups a second (several times what one instance serves, see
//   docs/BENCHMARKS.md), 10^4 × 3.15 × 10^7 s ≈ 3.2 × 10^11 guesses a year, P ≤ 3.2 × 10^11 × 10^5 /
//   1.2 × 10^24 ≈ 2.6 × 10^-8 a year. This is why 80 bits, not the limiter, is the protection.
// At most DELAYED_MAX replies wait at once (each holds a socket and a timer); beyond that misses are
// answered at once, which changes nothing in the arithmetic above.
//
// With REDIS_URL the counters live in Redis, so the window holds across instances; if Redis is
// unreachable the misses are simply not slowed (and valid codes are never affected either way).
import { Redis } from 'ioredis';

export const FAILURE_LIMIT = 100;
export const FAILURE_WINDOW_MS = 10 * 60_000;
export const FAILURE_DELAY_MS = 2000;
const DELAYED_MAX = 1000;
const MEMORY_KEYS_MAX = 100_000;

/** Counts failed lookups of a key; the store behind it. */
interface FailureCounter {
  /** Counts one failure; resolves to the key's failures in the current window (0 if unknown). */
  count(key: string): Promise<number>;
  close(): Promise<void>;
}

export interface FailureLimiter {
  /** Counts a failed lookup of `key`; resolves at once under the limit, after the delay above it. */
  miss(key: string): Promise<void>;
  close(): Promise<void>;
}

export interface LimiterOptions {
  redisUrl?: string | undefined;
  limit?: number;
  windowMs?: number;
  delayMs?: number;
  onStoreError?: (err: Error) => void;
}

export function createFailureLimiter(opts: LimiterOptions = {}): FailureLimiter {
  const limit = opts.limit ?? FAILURE_LIMIT;
  const windowMs = opts.windowMs ?? FAILURE_WINDOW_MS;
  const delayMs = opts.delayMs ?? FAILURE_DELAY_MS;
  const counter = opts.redisUrl
    ? redisCounter(opts.redisUrl, windowMs, opts.onStoreError ?? (() => undefined))
    : memoryCounter(windowMs);
  let delayed = 0;
  return {
    async miss(key) {
      const failures = await counter.count(key);
      if (failures <= limit || delayed >= DELAYED_MAX) return;
      delayed += 1;
      try {
        await new Promise((resolve) => setTimeout(resolve, delayMs).unref());
      } finally {
        delayed -= 1;
      }
    },
    close: () => counter.close(),
  };
}

function memoryCounter(windowMs: number): FailureCounter {
  // Insertion order = order of each window's first failure, so the first entry is the oldest.
  const windows = new Map<string, { count: number; resetAt: number }>();
  return {
    async count(key) {
      const now = Date.now();
      const w = windows.get(key);
      if (w && w.resetAt > now) return (w.count += 1);
      windows.delete(key);
      if (windows.size >= MEMORY_KEYS_MAX) windows.delete(windows.keys().next().value as string);
      windows.set(key, { count: 1, resetAt: now + windowMs });
      return 1;
    },
    async close() {
      windows.clear();
    },
  };
}

function redisCounter(url: string, windowMs: number, onError: (err: Error) => void): FailureCounter {
  const redis = new Redis(url, {
    connectTimeout: 2000,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    lazyConnect: true,
  });
  redis.on('error', onError);
  const ready = redis.connect().catch(onError);
  const name = (key: string) => `vre-slipfail:${key}`;
  return {
    async count(key) {
      try {
        await ready;
        // The window starts at the first failure: SET NX gives it its expiry, INCR keeps the TTL.
        const res = await redis.multi().set(name(key), 0, 'PX', windowMs, 'NX').incr(name(key)).exec();
        return Number(res?.[1]?.[1] ?? 0);
      } catch (err) {
        onError(err as Error);
        return 0;
      }
    },
    async close() {
      redis.disconnect();
    },
  };
}
