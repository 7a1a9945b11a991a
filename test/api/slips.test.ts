import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from '../../server/lib/crypto.ts';
import { buildTestApp } from '../helpers/app.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { castBallot, validAnswers } from '../helpers/evaluation.ts';
import { call, createCast, type Cast } from '../helpers/officials-api.ts';

let tdb: TestDatabase;
let app: FastifyInstance;
let cast: Cast;

beforeAll(async () => {
  tdb = await createTestDatabase({ max: 20 });
  app = await buildTestApp(tdb.db);
  cast = await createCast(tdb.db);
});

afterAll(async () => {
  await app.close();
  await tdb.close();
});

async function session(residents: number, open = false): Promise<number> {
  const created = await call(app, cast.village, 'POST', '/api/sessions', {
    villageId: cast.tree.village,
    title: '发票测试',
    residentsPresent: residents,
    acknowledgeNoCase: true,
  });
  const id = created.body.id as number;
  if (open) {
    await call(app, cast.township, 'POST', `/api/sessions/${id}/confirm-residents`, { residentsPresent: residents });
    expect((await call(app, cast.village, 'POST', `/api/sessions/${id}/open`)).status).toBe(200);
  }
  return id;
}

const issue = (id: number, count: number) => call(app, cast.village, 'POST', `/api/sessions/${id}/slips`, { count });

async function stored(id: number) {
  const s = await tdb.db
    .selectFrom('evaluation_session')
    .select('issued_count')
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  const slips = await tdb.db.selectFrom('slip').select(['voided', 'used']).where('session_id', '=', id).execute();
  return { issued: s.issued_count, slips: slips.length, voided: slips.filter((x) => x.voided).length };
}

describe('issuing slips', () => {
  it('returns tokens of 16 unambiguous characters, their typed code in groups of four and the slip URL', async () => {
    const id = await session(6);
    const res = await issue(id, 5);
    expect(res.status).toBe(201);
    expect(res.body.batch).toEqual({ id: expect.any(Number), count: 5, createdAt: expect.any(String) });
    expect(res.body.slips).toHaveLength(5);
    for (const slip of res.body.slips as { token: string; code: string; url: string }[]) {
      expect(slip.token).toMatch(/^[23456789ABCDEFGHJKLMNPQRSTUVWXYZ]{16}$/);
      expect(slip.code).toBe(slip.token.match(/.{4}/g)?.join('-'));
      expect(slip.url).toBe(`http://vote.test/v#${slip.token}`);
    }
    expect(new Set(res.body.slips.map((s: { token: string }) => s.token)).size).toBe(5);
    expect(await stored(id)).toEqual({ issued: 5, slips: 5, voided: 0 });
  });

  it('never issues more slips than residents present, naming how many are left', async () => {
    const id = await session(6);
    await issue(id, 5);
    expect(await issue(id, 2)).toEqual({
      status: 409,
      body: {
        statusCode: 409,
        code: 'TOO_MANY_SLIPS',
        error: 'Conflict',
        message: '在村人数为 6 人，已发放 5 张测评票，最多还能发放 1 张',
        details: { residentsPresent: 6, issued: 5, remaining: 1 },
      },
    });
    expect(await stored(id)).toEqual({ issued: 5, slips: 5, voided: 0 });
    expect((await issue(id, 1)).status).toBe(201);
  });

  it('lets exactly one of two concurrent requests through when together they would exceed the residents', async () => {
    const id = await session(10);
    const results = await Promise.all([issue(id, 6), issue(id, 6)]);
    expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
    expect(await stored(id)).toEqual({ issued: 6, slips: 6, voided: 0 });
  });

  it('lets many racing single-slip requests issue exactly up to the limit', async () => {
    const id = await session(7);
    const results = await Promise.all(Array.from({ length: 12 }, () => issue(id, 1)));
    expect(results.filter((r) => r.status === 201)).toHaveLength(7);
    expect(results.filter((r) => r.status === 409)).toHaveLength(5);
    expect(await stored(id)).toEqual({ issued: 7, slips: 7, voided: 0 });
  });

  it('refuses issuing once the session is closed or void, and refuses roles outside the session', async () => {
    const id = await session(3);
    await call(app, cast.village, 'POST', `/api/sessions/${id}/void`, { reason: '重建' });
    expect((await issue(id, 1)).body.code).toBe('INVALID_STATE');
    const other = await call(app, cast.otherTownship, 'POST', `/api/sessions/${id}/slips`, { count: 1 });
    expect(other.status).toBe(404);
    expect((await call(app, cast.admin, 'POST', `/api/sessions/${id}/slips`, { count: 1 })).status).toBe(403);
    expect(await stored(id)).toEqual({ issued: 0, slips: 0, voided: 0 });
  });
});

describe('voiding a batch', () => {
  it('voids the unused slips, lowers the issued count, and lets a new batch be issued in their place', async () => {
    const id = await session(5, true);
    const first = await issue(id, 5);
    const tokens = first.body.slips.map((s: { token: string }) => s.token) as string[];
    expect((await castBallot(tdb.db, tokens[0] as string, validAnswers())).outcome).toBe('accepted');
    const res = await call(app, cast.village, 'POST', `/api/sessions/${id}/batches/${first.body.batch.id}/void`);
    expect(res).toEqual({
      status: 200,
      body: {
        batch: { id: first.body.batch.id, count: 5, used: 1, voided: true, createdAt: first.body.batch.createdAt },
      },
    });
    expect(await stored(id)).toEqual({ issued: 1, slips: 5, voided: 4 });
    // a voided slip answers like an unknown one
    expect((await castBallot(tdb.db, tokens[1] as string, validAnswers())).outcome).toBe('not_found');
    expect((await issue(id, 4)).status).toBe(201);
    expect((await issue(id, 1)).status).toBe(409);
    const again = await call(app, cast.village, 'POST', `/api/sessions/${id}/batches/${first.body.batch.id}/void`);
    expect(again.body).toMatchObject({ code: 'INVALID_STATE', message: '这批测评票已经作废' });
    const batches = await call(app, cast.township, 'GET', `/api/sessions/${id}/batches`);
    expect(
      batches.body.batches.map((b: { count: number; used: number; voided: boolean }) => [b.count, b.used, b.voided]),
    ).toEqual([
      [5, 1, true],
      [4, 0, false],
    ]);
    const events = await tdb.db
      .selectFrom('session_event')
      .select(['action', 'detail'])
      .where('session_id', '=', id)
      .execute();
    expect(events.filter((e) => e.action === 'void_batch')).toEqual([
      { action: 'void_batch', detail: { batchId: first.body.batch.id, voided: 4 } },
    ]);
  });

  it('answers 404 for a batch of another session', async () => {
    const a = await session(2);
    const b = await session(2);
    const batch = await issue(a, 1);
    const res = await call(app, cast.village, 'POST', `/api/sessions/${b}/batches/${batch.body.batch.id}/void`);
    expect(res.status).toBe(404);
    expect(await stored(a)).toEqual({ issued: 1, slips: 1, voided: 0 });
  });
});

describe('plain tokens', () => {
  it('exist only in the issuing reply: no route returns them and only their 32-byte SHA-256 is stored', async () => {
    const id = await session(4, true);
    const res = await issue(id, 4);
    const tokens = res.body.slips.map((s: { token: string }) => s.token) as string[];
    await castBallot(tdb.db, tokens[0] as string, validAnswers());
    const reads = await Promise.all(
      ['', '/batches', '/tally', '/events'].map((path) => call(app, cast.village, 'GET', `/api/sessions/${id}${path}`)),
    );
    const list = await call(app, cast.village, 'GET', '/api/sessions');
    for (const r of [...reads, list]) {
      expect(r.status).toBe(200);
      const text = JSON.stringify(r.body);
      for (const t of tokens) expect(text).not.toContain(t);
    }
    const hashes = await tdb.db.selectFrom('slip').select('token_hash').where('session_id', '=', id).execute();
    expect(hashes.map((h) => h.token_hash.toString('hex')).sort()).toEqual(
      tokens.map((t) => sha256(t).toString('hex')).sort(),
    );
    // every column of every row of every table, as text: no token anywhere
    const tables = await sql<{
      name: string;
    }>`select tablename as name from pg_tables where schemaname = 'public'`.execute(tdb.db);
    for (const { name } of tables.rows) {
      const { rows } = await sql<{ n: number }>`
        select count(*)::int as n from ${sql.table(name)} x
        where x::text like any (${tokens.map((t) => `%${t}%`)}::text[])`.execute(tdb.db);
      expect(rows[0]?.n, name).toBe(0);
    }
  });
});
