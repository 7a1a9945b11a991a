// GET /api/sessions at county scale: list fields only, and keyset pages (an opaque cursor) that
// reach every session exactly once with the filters kept.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../helpers/app.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { castBallot, createSessionFixture, validAnswers } from '../helpers/evaluation.ts';
import { call, createCast, type Cast } from '../helpers/officials-api.ts';

let tdb: TestDatabase;
let app: FastifyInstance;
let cast: Cast;

beforeAll(async () => {
  tdb = await createTestDatabase();
  app = await buildTestApp(tdb.db);
  cast = await createCast(tdb.db);
});

afterAll(async () => {
  await app.close();
  await tdb.close();
});

const fixture = (status: 'draft' | 'open' | 'closed', slips = 2) =>
  createSessionFixture(tdb.db, { tree: cast.tree, status, slips });

/** Every page of `query` as the township, following nextCursor. */
async function allPages(query: string, limit: number) {
  const pages: { sessions: { id: number }[]; nextCursor: string | null; total: number }[] = [];
  let cursor: string | null = null;
  do {
    const url = `/api/sessions?${query}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`;
    const res = await call(app, cast.township, 'GET', url);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    pages.push(res.body);
    cursor = res.body.nextCursor;
  } while (cursor && pages.length < 100);
  return pages;
}

describe('the sessions list', () => {
  it('carries list fields only: no questionnaire, no rules, no result', async () => {
    const s = await fixture('closed');
    const page = await call(app, cast.township, 'GET', `/api/sessions?status=closed&limit=1`);
    const row = await tdb.db
      .selectFrom('evaluation_session')
      .select(['created_at', 'opened_at', 'closed_at'])
      .where('id', '=', s.sessionId)
      .executeTakeFirstOrThrow();
    expect(page.body.sessions).toEqual([
      {
        id: s.sessionId,
        publicId: s.publicId,
        villageId: cast.tree.village,
        villageName: s.villageName,
        townshipName: expect.any(String),
        title: s.title,
        kind: 'self_evaluation',
        status: 'closed',
        residentsPresent: 2,
        residentsConfirmed: true,
        issued: 2,
        used: 0,
        caseId: null,
        openedAt: row.opened_at?.toISOString(),
        closedAt: row.closed_at?.toISOString(),
        createdAt: row.created_at.toISOString(),
      },
    ]);
  });

  it('reaches every session exactly once, newest first, even when many share a creation time', async () => {
    for (let i = 0; i < 5; i++) await fixture('draft', 0);
    for (let i = 0; i < 4; i++) await fixture('open', 0);
    // several sessions created in the same microsecond: the cursor must neither skip nor repeat them
    const some = await tdb.db.selectFrom('evaluation_session').select('id').orderBy('id').limit(6).execute();
    await tdb.db
      .updateTable('evaluation_session')
      .set({ created_at: new Date('2030-01-01T00:00:00.123Z') })
      .where(
        'id',
        'in',
        some.map((r) => r.id),
      )
      .execute();
    const expected = async (status?: string) =>
      (
        await tdb.db
          .selectFrom('evaluation_session')
          .select('id')
          .$if(status !== undefined, (q) => q.where('status', '=', status as string))
          .orderBy('created_at', 'desc')
          .orderBy('id', 'desc')
          .execute()
      ).map((r) => r.id);

    for (const [query, status] of [
      ['', undefined],
      ['status=draft', 'draft'],
    ] as const) {
      const want = await expected(status);
      const pages = await allPages(query, 2);
      expect(pages.flatMap((p) => p.sessions.map((x) => x.id))).toEqual(want);
      expect(pages).toHaveLength(Math.ceil(want.length / 2));
      expect(pages.every((p) => p.total === want.length && p.sessions.length <= 2)).toBe(true);
      expect(pages.at(-1)?.nextCursor).toBeNull();
    }
  });

  it('shows the live turnout of an open session', async () => {
    const s = await fixture('open', 3);
    await castBallot(tdb.db, s.tokens[0] as string, validAnswers());
    await castBallot(tdb.db, s.tokens[1] as string, validAnswers(), { paper: true });
    const pages = await allPages('status=open', 200);
    expect(pages[0]?.sessions.find((x) => x.id === s.sessionId)).toMatchObject({ issued: 3, used: 2 });
  });

  it('shows another township nothing and refuses a cursor it did not make', async () => {
    expect(await call(app, cast.otherTownship, 'GET', '/api/sessions')).toEqual({
      status: 200,
      body: { sessions: [], nextCursor: null, total: 0 },
    });
    for (const cursor of ['bm9wZQ', 'MTIzOjA', 'x', 'MTIzOjQ1Ng==']) {
      const res = await call(app, cast.township, 'GET', `/api/sessions?cursor=${cursor}`);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
    }
    const bad = await call(app, cast.township, 'GET', '/api/sessions?cursor=MTIzOjA');
    expect(bad.body.message).toBe('分页位置无效，请从第一页重新加载');
    expect((await call(app, cast.township, 'GET', '/api/sessions?limit=201')).status).toBe(400);
    expect((await call(app, cast.township, 'GET', '/api/sessions?limit=0')).status).toBe(400);
  });
});
