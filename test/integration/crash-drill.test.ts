// Crash drill (DESIGN.md invariants 1–3): the real server is killed with SIGKILL again and again
// while 32 clients submit 2,000 ballots and retry, with the same client id, on every network error
// or 5xx. Afterwards every acknowledged ballot is stored, each slip counts once, and
// ballots = used slips = acknowledged submissions.
import crypto from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sha256 } from '../../server/lib/crypto.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { ballotState, createSessionFixture, validAnswers, type SessionFixture } from '../helpers/evaluation.ts';
import { startServer, type ServerProcess } from '../helpers/server-process.ts';

const BALLOTS = 2000;
const CLIENTS = 32;
// Kill the server each time the acknowledged count passes one of these (5 kills, spread over the load).
const KILL_AT = [250, 600, 950, 1300, 1650];
const DEADLINE_MS = 85_000;

let tdb: TestDatabase;
let fx: SessionFixture;
let server: ServerProcess | undefined;

beforeAll(async () => {
  tdb = await createTestDatabase();
  fx = await createSessionFixture(tdb.db, { slips: BALLOTS });
}, 60_000);

afterAll(async () => {
  await server?.kill();
  await tdb.close();
});

interface Ack {
  token: string;
  receipt: string;
}

it('stores every acknowledged ballot exactly once across repeated kill -9 of the server', async () => {
  const started = Date.now();
  server = await startServer({ databaseUrl: tdb.url, logLevel: 'warn' });
  const srv = server;
  const acks: Ack[] = [];
  const problems: string[] = [];
  let retries = 0;
  let kills = 0;
  let restarting: Promise<void> | undefined;

  const submitUntilAcknowledged = async (token: string) => {
    const clientId = crypto.randomUUID();
    const body = JSON.stringify({ token, clientId, answers: validAnswers() });
    for (;;) {
      if (Date.now() - started > DEADLINE_MS) {
        throw new Error(`crash drill ran out of time: ${acks.length} acknowledged, ${kills} kills, ${retries} retries`);
      }
      if (restarting) await restarting;
      try {
        const res = await fetch(`${srv.url}/api/ballots`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
          signal: AbortSignal.timeout(10_000),
        });
        const json = (await res.json()) as { receipt?: string; code?: string };
        if (res.status === 201 || res.status === 200) {
          acks.push({ token, receipt: json.receipt as string });
          return;
        }
        if (res.status < 500) {
          problems.push(`${res.status} ${json.code}`);
          return;
        }
      } catch {
        // connection refused or reset, or the reply was lost: retry with the same client id
      }
      retries++;
      await new Promise((r) => setTimeout(r, 50 + Math.random() * 100));
    }
  };

  const killIfDue = async () => {
    if (restarting || kills >= KILL_AT.length || acks.length < (KILL_AT[kills] as number)) return;
    kills++;
    restarting = (async () => {
      await srv.kill();
      await srv.restart();
    })();
    await restarting;
    restarting = undefined;
  };

  let next = 0;
  const client = async () => {
    for (let i = next++; i < BALLOTS; i = next++) {
      await submitUntilAcknowledged(fx.tokens[i] as string);
      void killIfDue();
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, client));
  await restarting;

  expect(problems).toEqual([]);
  expect(kills).toBe(KILL_AT.length);
  expect(retries).toBeGreaterThan(0);
  expect(acks).toHaveLength(BALLOTS);
  expect(await ballotState(tdb.db, fx.sessionId)).toMatchObject({ ballots: BALLOTS, used: BALLOTS, receipts: BALLOTS });
  const stored = await tdb.db
    .selectFrom('slip')
    .select(['token_hash', 'receipt'])
    .where('session_id', '=', fx.sessionId)
    .execute();
  const receiptOf = new Map(stored.map((s) => [s.token_hash.toString('hex'), s.receipt]));
  const mismatched = acks.filter((a) => receiptOf.get(sha256(a.token).toString('hex')) !== a.receipt);
  expect(mismatched).toEqual([]);
  const receipts = await tdb.db.selectFrom('receipt').select('code').where('session_id', '=', fx.sessionId).execute();
  expect(new Set(receipts.map((r) => r.code))).toEqual(new Set(acks.map((a) => a.receipt)));
  expect(Date.now() - started).toBeLessThan(90_000);
}, 90_000);
