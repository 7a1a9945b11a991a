// Failed slip lookups, counted per client address (per official for paper entry).
//
// Why not @fastify/rate-limit's per-route counter: it counts every request, and a village hall is
// one NAT address where 1,000 villagers open and submit their own slips within a minute. Only
// failures (404 SLIP_NOT_FOUND) are counted here, so honest traffic never spends the budget.
//
// Why an address over the limit is refused for EVERY lookup, valid codes included: if only failing
// lookups were refused, a 429 would mean "unknown code" and a 200 "valid code", and the guessing
// would go on unhindered. Refusing before the lookup reveals nothing. The cost: someone in the hall
// who types 100 wrong codes in 10 minutes blocks the hall's phones until the window ends; paper
// entry is keyed by the official, so the secretary can still enter the paper forms meanwhile.
//
// Guessing stays hopeless: 100 failures per 10 minutes is 14,400 guesses a day per address; with
// 10 million live slips among 2^80 codes that is one hit per ~10^13 address-days.
//
// With REDIS_URL the counters live in Redis (the store @fastify/rate-limit uses), so the limit
// holds across instances; if Redis is unreachable the limit is skipped rather than failing votes.
import { Redis } from 'ioredis';

export const FAILURE_LIMIT = 100;
export const FAILURE_WINDOW_MS = 10 * 60_000;
const MEMORY_KEYS_MAX = 100_000;

export interface FailureLimiter {
  /** Milliseconds until the key may look up again, or 0 when it is under the limit. */
  blockedFor(key: string): Promise<number>;
  recordFailure(key: string): Promise<void>;
  close(): Promise<void>;
}

export interface LimiterOptions {
  redisUrl?: string | undefined;
  limit?: number;
  windowMs?: number;
  onStoreError?: (err: Error) => void;
}

export function createFailureLimiter(opts: LimiterOptions = {}): FailureLimiter {
  const limit = opts.limit ?? FAILURE_LIMIT;
  const windowMs = opts.windowMs ?? FAILURE_WINDOW_MS;
  return opts.redisUrl
    ? redisLimiter(opts.redisUrl, limit, windowMs, opts.onStoreError ?? (() => undefined))
    : memoryLimiter(limit, windowMs);
}

function memoryLimiter(limit: number, windowMs: number): FailureLimiter {
  // Insertion order = order of each window's first failure, so the first entry is the oldest.
  const windows = new Map<string, { count: number; resetAt: number }>();
  const live = (key: string, now: number) => {
    const w = windows.get(key);
    if (w && w.resetAt <= now) {
      windows.delete(key);
      return undefined;
    }
    return w;
  };
  return {
    async blockedFor(key) {
      const now = Date.now();
      const w = live(key, now);
      return w && w.count >= limit ? w.resetAt - now : 0;
    },
    async recordFailure(key) {
      const now = Date.now();
      const w = live(key, now);
      if (w) {
        w.count += 1;
        return;
      }
      if (windows.size >= MEMORY_KEYS_MAX) windows.delete(windows.keys().next().value as string);
      windows.set(key, { count: 1, resetAt: now + windowMs });
    },
    async close() {
      windows.clear();
    },
  };
}

function redisLimiter(url: string, limit: number, windowMs: number, onError: (err: Error) => void): FailureLimiter {
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
    async blockedFor(key) {
      try {
        await ready;
        const res = await redis.multi().get(name(key)).pttl(name(key)).exec();
        const count = Number(res?.[0]?.[1] ?? 0);
        const ttl = Number(res?.[1]?.[1] ?? 0);
        return count >= limit ? Math.max(ttl, 1000) : 0;
      } catch (err) {
        onError(err as Error);
        return 0;
      }
    },
    async recordFailure(key) {
      try {
        await ready;
        // The window starts at the first failure: SET NX gives it its expiry, INCR keeps the TTL.
        await redis.multi().set(name(key), 0, 'PX', windowMs, 'NX').incr(name(key)).exec();
      } catch (err) {
        onError(err as Error);
      }
    },
    async close() {
      redis.disconnect();
    },
  };
}
