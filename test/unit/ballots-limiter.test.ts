// The slip-failure limiter's in-memory store: which misses it slows, per key and per window. The
// clock is vitest's fake one, so nothing here waits or measures real time.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createFailureLimiter, type FailureLimiter } from '../../server/modules/ballots/ballots.limiter.ts';

const LIMIT = 3;
const WINDOW = 60_000;
const DELAY = 2000;

let limiter: FailureLimiter;

beforeEach(() => {
  vi.useFakeTimers();
  limiter = createFailureLimiter({ limit: LIMIT, windowMs: WINDOW, delayMs: DELAY });
});

afterEach(async () => {
  await limiter.close();
  vi.useRealTimers();
});

/** Whether a miss of `key` is answered without the clock moving. */
async function answeredAtOnce(key: string): Promise<boolean> {
  let done = false;
  const miss = limiter.miss(key).then(() => {
    done = true;
  });
  await vi.advanceTimersByTimeAsync(0);
  const atOnce = done;
  if (!atOnce) await vi.advanceTimersByTimeAsync(DELAY);
  await miss;
  return atOnce;
}

describe('failure limiter (in-memory)', () => {
  it('answers the first LIMIT misses of a key at once and delays every later one by the delay', async () => {
    for (let i = 0; i < LIMIT; i++) expect(await answeredAtOnce('ip:a')).toBe(true);
    expect(await answeredAtOnce('ip:a')).toBe(false);
    expect(await answeredAtOnce('ip:a')).toBe(false);

    let done = false;
    const miss = limiter.miss('ip:a').then(() => {
      done = true;
    });
    await vi.advanceTimersByTimeAsync(DELAY - 1);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await miss;
    expect(done).toBe(true);
  });

  it('counts each key on its own', async () => {
    for (let i = 0; i < LIMIT; i++) await answeredAtOnce('ip:a');
    expect(await answeredAtOnce('ip:a')).toBe(false);
    expect(await answeredAtOnce('ip:b')).toBe(true);
    expect(await answeredAtOnce('official:7')).toBe(true);
  });

  it('starts a new window once the first miss of the last one is WINDOW old', async () => {
    for (let i = 0; i < LIMIT; i++) await answeredAtOnce('ip:a');
    await vi.advanceTimersByTimeAsync(WINDOW - 2 * DELAY);
    expect(await answeredAtOnce('ip:a')).toBe(false);
    await vi.advanceTimersByTimeAsync(DELAY);
    for (let i = 0; i < LIMIT; i++) expect(await answeredAtOnce('ip:a')).toBe(true);
    expect(await answeredAtOnce('ip:a')).toBe(false);
  });
});
