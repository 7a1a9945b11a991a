// A village meeting as the cluster drill plays it: every villager fetches the questionnaire with
// their slip, then submits, and retries with the same client id on a network error, a 5xx or a
// 429 until a receipt arrives (201, or 200 for a retry of a submit already stored) or a definite
// refusal. Afterwards the database is reconciled against what the villagers were told.
import crypto from 'node:crypto';
import type pg from 'pg';
import { answersFor } from '../bench/answers.ts';
import { sleep, summarize, type LatencySummary } from '../bench/stats.ts';

export interface MeetingResult {
  voters: number;
  seconds: number;
  ballotsPerSecond: number;
  /** from a villager's first submit attempt to their receipt */
  latency: LatencySummary;
  retries: number;
  /** why requests were retried: HTTP status or 'network' → count */
  retryReasons: Record<string, number>;
  /** villager index → the receipt they were shown */
  receipts: Map<number, string>;
  /** refusals and voters given up on, with the reason */
  problems: string[];
}

interface Options {
  baseUrl: string;
  tokens: string[];
  concurrency: number;
  deadlineMs: number;
  /** called after each receipt with the number acknowledged so far */
  onReceipt?: (acknowledged: number) => void;
}

type Outcome =
  | { kind: 'ok'; status: number; body: { receipt?: string } }
  | { kind: 'retry'; why: string }
  | { kind: 'refused'; why: string };

async function post(url: string, body: unknown): Promise<Outcome> {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const json = (await res.json().catch(() => ({}))) as { receipt?: string; code?: string };
    if (res.ok) return { kind: 'ok', status: res.status, body: json };
    if (res.status >= 500 || res.status === 429)
      return { kind: 'retry', why: `${res.status} ${json.code ?? ''}`.trim() };
    return { kind: 'refused', why: `${res.status} ${json.code ?? ''}` };
  } catch {
    // refused, reset, or the reply was lost on the way: the same request again
    return { kind: 'retry', why: 'network' };
  }
}

export async function runMeeting(opts: Options): Promise<MeetingResult> {
  const started = performance.now();
  const receipts = new Map<number, string>();
  const problems: string[] = [];
  const latencies: number[] = [];
  let retries = 0;
  const retryReasons: Record<string, number> = {};
  let firstSubmit = Number.POSITIVE_INFINITY;
  let lastReceipt = 0;

  const untilDone = async (url: string, body: unknown): Promise<Exclude<Outcome, { kind: 'retry' }>> => {
    for (;;) {
      if (performance.now() - started > opts.deadlineMs) return { kind: 'refused', why: 'deadline' };
      const r = await post(url, body);
      if (r.kind !== 'retry') return r;
      retries++;
      retryReasons[r.why] = (retryReasons[r.why] ?? 0) + 1;
      await sleep(50 + Math.random() * 150);
    }
  };

  const vote = async (i: number) => {
    const token = opts.tokens[i] as string;
    const q = await untilDone(`${opts.baseUrl}/api/ballot/questionnaire`, { token });
    if (q.kind === 'refused') return void problems.push(`voter ${i} questionnaire: ${q.why}`);
    const clientId = crypto.randomUUID();
    const t0 = performance.now();
    firstSubmit = Math.min(firstSubmit, t0);
    const s = await untilDone(`${opts.baseUrl}/api/ballots`, { token, clientId, answers: answersFor(i) });
    if (s.kind === 'refused') return void problems.push(`voter ${i} submit: ${s.why}`);
    receipts.set(i, s.body.receipt as string);
    lastReceipt = performance.now();
    latencies.push(lastReceipt - t0);
    opts.onReceipt?.(receipts.size);
  };

  let next = 0;
  const villager = async () => {
    for (let i = next++; i < opts.tokens.length; i = next++) await vote(i);
  };
  await Promise.all(Array.from({ length: opts.concurrency }, villager));
  const seconds = (lastReceipt - Math.min(firstSubmit, lastReceipt)) / 1000;
  return {
    voters: opts.tokens.length,
    seconds,
    ballotsPerSecond: seconds > 0 ? receipts.size / seconds : Number.NaN,
    latency: summarize(latencies),
    retries,
    retryReasons,
    receipts,
    problems,
  };
}

export interface Reconciled {
  acknowledged: number;
  ballots: number;
  usedSlips: number;
  receiptRows: number;
  /** acknowledged receipts not stored (or stored on another slip) */
  lost: number;
  /** ballots beyond one per acknowledged villager (a retry that stored a second ballot) */
  double: number;
  ok: boolean;
}

/** lost = 0: every receipt a villager was shown is stored on their slip and in the receipt list.
 * double = 0: ballots = used slips = receipts = villagers acknowledged. */
export async function reconcile(
  pool: pg.Pool,
  sessionId: number,
  tokens: string[],
  m: MeetingResult,
): Promise<Reconciled> {
  const one = async (text: string) => (await pool.query(text, [sessionId])).rows[0].n as number;
  const ballots = await one('select count(*)::int as n from ballot where session_id = $1');
  const usedSlips = await one('select count(*)::int as n from slip where session_id = $1 and used');
  const receiptRows = await one('select count(*)::int as n from receipt where session_id = $1');
  const hashes = [...m.receipts.keys()].map((i) =>
    crypto
      .createHash('sha256')
      .update(tokens[i] as string)
      .digest(),
  );
  const onSlips = await pool.query<{ token_hash: Buffer; receipt: string | null }>(
    'select token_hash, receipt from slip where session_id = $1 and token_hash = any($2::bytea[])',
    [sessionId, hashes],
  );
  const slipReceipt = new Map(onSlips.rows.map((r) => [r.token_hash.toString('hex'), r.receipt]));
  const listed = await pool.query<{ code: string }>(
    'select code from receipt where session_id = $1 and code = any($2::text[])',
    [sessionId, [...m.receipts.values()]],
  );
  const listedSet = new Set(listed.rows.map((r) => r.code));
  let lost = 0;
  for (const [i, receipt] of m.receipts) {
    const hash = crypto
      .createHash('sha256')
      .update(tokens[i] as string)
      .digest('hex');
    if (slipReceipt.get(hash) !== receipt || !listedSet.has(receipt)) lost++;
  }
  const acknowledged = m.receipts.size;
  const double = Math.max(0, ballots - acknowledged);
  const ok = lost === 0 && double === 0 && ballots === usedSlips && ballots === receiptRows && m.problems.length === 0;
  return { acknowledged, ballots, usedSlips, receiptRows, lost, double, ok };
}
