// Crash drill (DESIGN.md invariants 1–3): the real server is killed with SIGKILL again and again
// while 32 clients submit 1,200 ballots and retry, with the same client id, on every network error
// or 5xx. Afterwards every acknowledged ballot is stored, each slip counts once, and
// ballots = used slips = acknowledged submissions.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sha256 } from '../../server/lib/crypto.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { runBallotLoad, faultsAt } from '../helpers/ballot-load.ts';
import { ballotState, createSessionFixture, type SessionFixture } from '../helpers/evaluation.ts';
import { startServer, type ServerProcess } from '../helpers/server-process.ts';

const BALLOTS = 1200;
const CLIENTS = 32;
// Kill the server each time the acknowledged count passes one of these (5 kills, spread over the load).
const KILL_AT = [150, 360, 570, 780, 990];
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

it('stores every acknowledged ballot exactly once across repeated kill -9 of the server', async () => {
  const started = Date.now();
  server = await startServer({ databaseUrl: tdb.url, logLevel: 'warn' });
  const srv = server;
  const faults = faultsAt(KILL_AT, async () => {
    await srv.kill();
    await srv.restart();
  });
  const { acks, problems, retries } = await runBallotLoad({
    url: srv.url,
    tokens: fx.tokens,
    clients: CLIENTS,
    deadlineMs: DEADLINE_MS,
    abortIf: faults.failed,
    onAck: faults.onAck,
  });
  const kills = await faults.settle();

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
