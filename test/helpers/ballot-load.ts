// Villagers' phones as the ballot page drives them (web/src/ballot/submit.ts): each submits one
// slip and, on a network error or a 5xx, retries with the same client id until it gets a receipt
// or a definite refusal. And a monitor polling /api/health throughout. For fault drills.
import crypto from 'node:crypto';
import type { Db } from '../../server/db/database.ts';
import { sha256 } from '../../server/lib/crypto.ts';
import { validAnswers } from './evaluation.ts';

export interface Ack {
  token: string;
  receipt: string;
  /** 200: a retry answered with the receipt of a ballot an earlier attempt had stored */
  status: number;
}

export interface LoadResult {
  acks: Ack[];
  /** definite refusals (4xx): none is expected in a drill */
  problems: string[];
  retries: number;
  /** HTTP status (or "network") of every failed attempt, counted */
  failures: Record<string, number>;
  /** 503 replies without a Retry-After header */
  missingRetryAfter: number;
}

export interface LoadOptions {
  url: string;
  tokens: string[];
  clients: number;
  deadlineMs: number;
  /** called after every acknowledgement with the count so far */
  onAck?: (acknowledged: number) => void;
  /** a reason to give up at once (e.g. the server process has exited) */
  abortIf?: () => string | undefined;
  /** while this returns a promise, clients take no new slip (those in flight keep retrying) */
  paused?: () => Promise<unknown> | undefined;
}

export async function runBallotLoad(opts: LoadOptions): Promise<LoadResult> {
  const started = Date.now();
  const result: LoadResult = { acks: [], problems: [], retries: 0, failures: {}, missingRetryAfter: 0 };
  const fail = (what: string) => (result.failures[what] = (result.failures[what] ?? 0) + 1);

  const submitUntilAnswered = async (token: string) => {
    const body = JSON.stringify({ token, clientId: crypto.randomUUID(), answers: validAnswers() });
    for (;;) {
      const abort = opts.abortIf?.();
      if (abort) throw new Error(`load aborted: ${abort}`);
      if (Date.now() - started > opts.deadlineMs) {
        throw new Error(`load ran out of time: ${result.acks.length} acknowledged, ${result.retries} retries`);
      }
      try {
        const res = await fetch(`${opts.url}/api/ballots`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
          signal: AbortSignal.timeout(10_000),
        });
        const json = (await res.json()) as { receipt?: string; code?: string };
        if (res.status === 201 || res.status === 200) {
          result.acks.push({ token, receipt: json.receipt as string, status: res.status });
          opts.onAck?.(result.acks.length);
          return;
        }
        if (res.status < 500) {
          result.problems.push(`${res.status} ${json.code}`);
          return;
        }
        fail(`${res.status} ${json.code}`);
        if (res.status === 503 && !res.headers.get('retry-after')) result.missingRetryAfter++;
      } catch {
        fail('network');
      }
      result.retries++;
      await new Promise((r) => setTimeout(r, 50 + Math.random() * 100));
    }
  };

  let next = 0;
  const client = async () => {
    for (;;) {
      await opts.paused?.();
      const i = next++;
      if (i >= opts.tokens.length) return;
      await submitUntilAnswered(opts.tokens[i] as string);
    }
  };
  await Promise.all(Array.from({ length: opts.clients }, client));
  return result;
}

export interface HealthSample {
  at: number;
  /** 0: no HTTP answer */
  status: number;
  retryAfter: string | null;
}

/** Polls /api/health every `everyMs` until stopped. */
export function watchHealth(url: string, everyMs = 100): { samples: HealthSample[]; stop(): Promise<void> } {
  const samples: HealthSample[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const at = Date.now();
      try {
        const res = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(8000) });
        await res.arrayBuffer();
        samples.push({ at, status: res.status, retryAfter: res.headers.get('retry-after') });
      } catch {
        samples.push({ at, status: 0, retryAfter: null });
      }
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    samples,
    stop: async () => {
      running = false;
      await loop;
    },
  };
}

/** Resolves at the first health sample after `since` with the given status. */
export async function healthReaches(
  health: { samples: HealthSample[] },
  status: number,
  since: number,
  timeoutMs: number,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const hit = health.samples.find((s) => s.at >= since && s.status === status);
    if (hit) return hit.at;
    if (Date.now() > deadline) throw new Error(`/api/health did not answer ${status} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The stored receipt of each slip, by token hash (hex), for the session. */
export async function storedReceipts(db: Db, sessionId: number): Promise<Map<string, string | null>> {
  const rows = await db
    .selectFrom('slip')
    .select(['token_hash', 'receipt'])
    .where('session_id', '=', sessionId)
    .execute();
  return new Map(rows.map((r) => [r.token_hash.toString('hex'), r.receipt]));
}

/** Acknowledgements whose receipt is not the one stored for their slip. */
export function unmatched(acks: Ack[], stored: Map<string, string | null>): Ack[] {
  return acks.filter((a) => stored.get(sha256(a.token).toString('hex')) !== a.receipt);
}

/**
 * Faults injected into a load: fault(i) starts once the acknowledged count reaches at[i], one at a
 * time. Give `onAck` and `failed` to runBallotLoad (a failed fault stops the load at once).
 */
export function faultsAt(at: number[], fault: (i: number) => Promise<void>) {
  let started = 0;
  let running: Promise<void> | undefined;
  let failure: Error | undefined;
  return {
    onAck(acknowledged: number): void {
      if (running || failure || started >= at.length || acknowledged < (at[started] as number)) return;
      const i = started++;
      running = fault(i)
        .catch((err: unknown) => {
          failure = err instanceof Error ? err : new Error(String(err));
        })
        .finally(() => (running = undefined));
    },
    failed: (): string | undefined => failure && `fault ${started} failed: ${failure.message}`,
    /** For runBallotLoad's `paused`: while a fault runs the load takes no new slips, so the load
     * cannot finish inside a fault (on a fast machine it would, and a later fault never come). */
    paused: (): Promise<void> | undefined => running,
    /** Waits for a fault still running; rethrows a failure; the number of faults injected. */
    async settle(): Promise<number> {
      await running;
      if (failure) throw failure;
      return started;
    },
  };
}
