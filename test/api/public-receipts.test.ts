// The public receipt list is found only by a session's random public id (sql/0007): counting the
// sequential keys, trying random strings, and the ids of sessions not yet published all get the one
// same 404, while the real public id of a closed or certified session shows its list.
import crypto from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../helpers/app.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { castBallot, createSessionFixture, validAnswers, type SessionFixture } from '../helpers/evaluation.ts';
import { createTree } from '../helpers/factories.ts';

const ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
const NOT_FOUND = { statusCode: 404, code: 'NOT_FOUND', error: 'Not Found', message: '未找到该对象，或您无权访问' };

let tdb: TestDatabase;
let app: FastifyInstance;
const s: Record<'draft' | 'open' | 'closed' | 'certified' | 'void', SessionFixture[]> = {
  draft: [],
  open: [],
  closed: [],
  certified: [],
  void: [],
};

beforeAll(async () => {
  tdb = await createTestDatabase();
  app = await buildTestApp(tdb.db);
  // two regions, every state in each
  for (let region = 0; region < 2; region++) {
    const tree = await createTree(tdb.db);
    for (const status of ['draft', 'open', 'closed', 'certified', 'void'] as const) {
      s[status].push(await createSessionFixture(tdb.db, { tree, status, slips: 2, title: `测评 ${region} ${status}` }));
    }
  }
}, 60_000);

afterAll(async () => {
  await app?.close();
  await tdb?.close();
});

const get = async (id: string) => {
  const res = await app.inject({ method: 'GET', url: `/api/public/sessions/${id}/receipts` });
  return { status: res.statusCode, type: res.headers['content-type'], body: res.body };
};
const randomId = (length: number, alphabet = ALPHABET) =>
  Array.from(crypto.randomBytes(length), (b) => alphabet[b % alphabet.length]).join('');

describe('the public id', () => {
  it('is 20 characters of the slip alphabet, different for every session', async () => {
    const rows = await tdb.db.selectFrom('evaluation_session').select(['id', 'public_id']).execute();
    expect(rows).toHaveLength(10);
    for (const r of rows) expect(r.public_id).toMatch(/^[2-9A-HJ-NP-Z]{20}$/);
    expect(new Set(rows.map((r) => r.public_id)).size).toBe(10);
  });
});

describe('probing the public receipt list', () => {
  it('answers the sequential keys 1 to 50 with one and the same 404', async () => {
    const ids = (await tdb.db.selectFrom('evaluation_session').select('id').execute()).map((r) => r.id);
    expect(Math.max(...ids)).toBeLessThanOrEqual(50);
    const first = await get('1');
    expect({ ...first, body: JSON.parse(first.body) }).toEqual({
      status: 404,
      type: 'application/json; charset=utf-8',
      body: NOT_FOUND,
    });
    for (let n = 1; n <= 50; n++) expect(await get(String(n)), `id ${n}`).toEqual(first);
  });

  it('answers random strings, malformed ids and sessions not yet published with the same 404', async () => {
    const first = await get('1');
    const probes = [
      ...Array.from({ length: 30 }, () => randomId(20)),
      ...Array.from({ length: 10 }, () => randomId(1 + ((crypto.randomBytes(1)[0] as number) % 40), 'abcxyz0189-_')),
      'A'.repeat(20),
      '0'.repeat(20),
      'r:1',
      '-1',
      '1e3',
      '%20',
      encodeURIComponent('测评'),
      'A'.repeat(150),
      (s.closed[0] as SessionFixture).publicId.toLowerCase(),
      ...s.draft.map((f) => f.publicId),
      ...s.open.map((f) => f.publicId),
    ];
    for (const id of probes) expect(await get(id), id).toEqual(first);
  });
});

describe('the real public id', () => {
  it('shows the receipts of a closed or certified session, never its sequential key', async () => {
    const fx = s.open[1] as SessionFixture;
    const cast = await castBallot(tdb.db, fx.tokens[0] as string, validAnswers());
    expect(cast.outcome).toBe('accepted');
    for (const f of [...s.closed, ...s.certified]) {
      const res = await app.inject({ method: 'GET', url: `/api/public/sessions/${f.publicId}/receipts` });
      expect({ status: res.statusCode, body: res.json() }).toEqual({
        status: 200,
        body: {
          session: {
            publicId: f.publicId,
            title: f.title,
            villageName: f.villageName,
            status: s.closed.includes(f) ? 'closed' : 'certified',
          },
          receipts: [],
        },
      });
      expect(res.body).not.toContain(`"id"`);
    }
  });

  it('tells the holder of a void session’s id that it was voided', async () => {
    for (const f of s.void) {
      const res = await app.inject({ method: 'GET', url: `/api/public/sessions/${f.publicId}/receipts` });
      expect({ status: res.statusCode, body: res.json() }).toEqual({
        status: 409,
        body: { statusCode: 409, code: 'SESSION_NOT_CLOSED', error: 'Conflict', message: '该测评已作废，没有公布回执' },
      });
    }
  });
});
