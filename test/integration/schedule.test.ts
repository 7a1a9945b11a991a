// Scheduled opens and closes carried out by the server (server/modules/schedule), with three
// instances' pg-boss workers on one database. Due times are set a few seconds ahead and the test
// waits for the database to show the outcome (the waits bound the test, they assert nothing).
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type Database } from '../../server/db/database.ts';
import { verifyDatabase } from '../../server/modules/audit/verify.service.ts';
import { startScheduler, type Scheduler } from '../../server/modules/schedule/schedule.jobs.ts';
import { buildTestApp } from '../helpers/app.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { castBallot, validAnswers } from '../helpers/evaluation.ts';
import { call, createCast, type Caller, type Cast } from '../helpers/officials-api.ts';

let tdb: TestDatabase;
let app: FastifyInstance;
let cast: Cast;
const warnings: string[] = [];
const log = { info: () => undefined, warn: (_o: object, msg: string) => void warnings.push(msg) };
const instances: { database: Database; scheduler: Scheduler }[] = [];

beforeAll(async () => {
  tdb = await createTestDatabase();
  app = await buildTestApp(tdb.db);
  cast = await createCast(tdb.db);
  // pg-boss's schema and queues, as the first instance to start creates them
  await (await startScheduler({ url: tdb.url, db: tdb.db, log, work: false })).stop();
});

afterAll(async () => {
  for (const i of instances) {
    await i.scheduler.stop();
    await i.database.close();
  }
  await app.close();
  await tdb.close();
});

/** Three more app instances: each its own pool and pg-boss worker (and start-up sweep). */
async function startInstances(): Promise<void> {
  if (instances.length > 0) return;
  await Promise.all(
    [0, 1, 2].map(async () => {
      const database = createDatabase(tdb.url, { max: 4 });
      const scheduler = await startScheduler({ url: tdb.url, db: database.db, log, pollingIntervalSeconds: 0.5 });
      instances.push({ database, scheduler });
    }),
  );
}

async function waitFor(label: string, done: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (await done()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${label}`);
}

/** The pg-boss jobs of a session: their states. */
async function jobStates(sessionId: number): Promise<string[]> {
  const { rows } = await sql<{ state: string }>`
    select state::text from pgboss.job where (data->>'sessionId')::int = ${sessionId} order by created_on`.execute(
    tdb.db,
  );
  return rows.map((r) => r.state);
}
const allDone = async (sessionId: number) => (await jobStates(sessionId)).every((s) => s === 'completed');

async function newSession(by: Caller, slips: number, confirm = true): Promise<{ id: number; tokens: string[] }> {
  const created = await call(app, by, 'POST', '/api/sessions', {
    villageId: cast.tree.village,
    residentsPresent: 10,
    acknowledgeNoCase: true,
  });
  expect(created.status).toBe(201);
  const id = created.body.id as number;
  if (confirm) {
    const r = await call(app, cast.township, 'POST', `/api/sessions/${id}/confirm-residents`, { residentsPresent: 10 });
    expect(r.status).toBe(200);
  }
  if (slips === 0) return { id, tokens: [] };
  const issued = await call(app, by, 'POST', `/api/sessions/${id}/slips`, { count: slips });
  return { id, tokens: issued.body.slips.map((s: { token: string }) => s.token) };
}

const inSeconds = (s: number) => new Date(Date.now() + s * 1000).toISOString();
const schedule = (by: Caller, id: number, openAt: string | null, closeAt: string | null) =>
  call(app, by, 'PATCH', `/api/sessions/${id}/schedule`, { openAt, closeAt });

async function auditOf(id: number, action: string) {
  return tdb.db
    .selectFrom('audit_event')
    .select(['actor_id', 'actor_username', 'detail'])
    .where('object_type', '=', 'evaluation_session')
    .where('object_id', '=', String(id))
    .where('action', '=', action)
    .execute();
}

async function sessionRow(id: number) {
  return tdb.db.selectFrom('evaluation_session').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

describe('a scheduled close with three instances', () => {
  it('runs exactly once, as the scheduler, with the result a manual close gives', async () => {
    const GATE = ['satisfied', 'satisfied', 'basic', 'dissatisfied', 'unknown', 'satisfied'];
    const timed = await newSession(cast.township, 8);
    const manual = await newSession(cast.township, 8);
    for (const s of [timed, manual]) {
      expect((await call(app, cast.township, 'POST', `/api/sessions/${s.id}/open`)).status).toBe(200);
      for (const [i, gate] of GATE.entries()) {
        await castBallot(tdb.db, s.tokens[i] as string, validAnswers('basic', { q1: gate }));
      }
    }
    const set = await schedule(cast.township, timed.id, null, inSeconds(5));
    expect(set.status).toBe(200);
    expect(set.body.scheduledCloseAt).not.toBeNull();
    // each instance's start-up sweep enqueues the pending close again: 4 deliveries race for it
    await startInstances();
    await waitFor('the scheduled close', async () => (await sessionRow(timed.id)).status === 'closed');
    await waitFor('every job to finish', () => allDone(timed.id));
    const states = await jobStates(timed.id);
    expect(states.length).toBeGreaterThanOrEqual(2);
    expect(states.every((st) => st === 'completed')).toBe(true);

    const closes = await auditOf(timed.id, 'session.close');
    expect(closes).toHaveLength(1);
    expect(closes[0]).toMatchObject({ actor_id: cast.township.id, detail: { scheduled: true, ballots: 6 } });
    const events = await tdb.db
      .selectFrom('session_event')
      .select('action')
      .where('session_id', '=', timed.id)
      .orderBy('id')
      .execute();
    expect(events.filter((e) => /close|scheduled/.test(e.action)).map((e) => e.action)).toEqual(['close']);
    expect(warnings).toEqual([]);

    expect((await call(app, cast.township, 'POST', `/api/sessions/${manual.id}/close`)).status).toBe(200);
    const [a, b] = [await sessionRow(timed.id), await sessionRow(manual.id)];
    const strip = (r: unknown) => {
      const { sessionId: _s, closedAt: _c, ...rest } = r as Record<string, unknown>;
      return rest;
    };
    expect(strip(a.result)).toEqual(strip(b.result));
    expect((await verifyDatabase(tdb.db)).problems).toEqual([]);
  });
});

describe('a scheduled open', () => {
  beforeAll(startInstances);

  it('of a session whose residents are not confirmed records why and leaves it a draft', async () => {
    const s = await newSession(cast.village, 5, false);
    expect((await schedule(cast.village, s.id, inSeconds(2), null)).status).toBe(200);
    const failed = async () => (await auditOf(s.id, 'session.scheduled_open_failed')).length > 0;
    await waitFor('the failed open to be recorded', failed);
    await waitFor('every job to finish', () => allDone(s.id));
    const row = await sessionRow(s.id);
    expect(row).toMatchObject({ status: 'draft', scheduled_open_at: null, opened_at: null });
    const recorded = await auditOf(s.id, 'session.scheduled_open_failed');
    expect(recorded).toHaveLength(1);
    expect(recorded[0]).toMatchObject({
      actor_id: cast.village.id,
      detail: { scheduled: true, reason: '在村人数尚未经乡镇确认' },
    });
    const view = await call(app, cast.village, 'GET', `/api/sessions/${s.id}/events`);
    expect(view.body.events.at(-1)).toMatchObject({
      action: 'scheduled_open_failed',
      detail: { reason: '在村人数尚未经乡镇确认' },
    });
  });

  it('does not fire at a time that was changed, and fires at the new one', async () => {
    const s = await newSession(cast.township, 5);
    const first = inSeconds(2);
    expect((await schedule(cast.township, s.id, first, null)).status).toBe(200);
    expect((await schedule(cast.township, s.id, inSeconds(3600), null)).status).toBe(200);
    const oldJobDone = async () => {
      const { rows } = await sql<{ n: number }>`
        select count(*)::int as n from pgboss.job
        where (data->>'sessionId')::int = ${s.id} and data->>'dueAt' = ${first} and state = 'completed'`.execute(
        tdb.db,
      );
      return rows[0]?.n === 1;
    };
    await waitFor('the job of the old time to run', oldJobDone);
    expect(await sessionRow(s.id)).toMatchObject({ status: 'draft', opened_at: null });
    expect(await auditOf(s.id, 'session.open')).toEqual([]);

    expect((await schedule(cast.township, s.id, inSeconds(2), null)).status).toBe(200);
    await waitFor('the open at the new time', async () => (await sessionRow(s.id)).status === 'open');
    const opens = await auditOf(s.id, 'session.open');
    expect(opens).toHaveLength(1);
    expect(opens[0]).toMatchObject({ actor_id: cast.township.id, detail: { scheduled: true } });
    expect(await auditOf(s.id, 'session.scheduled_open_failed')).toEqual([]);
  });
});

describe('a database fault under the workers', () => {
  beforeAll(startInstances);

  it('is logged, never fatal: after their connections are cut the workers still carry out a close', async () => {
    const s = await newSession(cast.township, 3);
    expect((await call(app, cast.township, 'POST', `/api/sessions/${s.id}/open`)).status).toBe(200);
    const cut = async () => {
      const { rows } = await sql<{ n: number }>`
        select count(pg_terminate_backend(pid))::int as n from pg_stat_activity
        where application_name = 'village-eval-jobs' and pid <> pg_backend_pid()`.execute(tdb.db);
      return rows[0]?.n ?? 0;
    };
    expect(await cut()).toBeGreaterThan(0);
    expect((await schedule(cast.township, s.id, null, inSeconds(2))).status).toBe(200);
    await waitFor('the close after the fault', async () => (await sessionRow(s.id)).status === 'closed');
    expect(await auditOf(s.id, 'session.close')).toHaveLength(1);
  });
});
