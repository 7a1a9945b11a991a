// Invariants 1 and 2 of DESIGN.md under concurrency: a slip is used at most once whatever races
// against it, a retry after a lost reply gets the same receipt, and nothing commits after close.
import type { FastifyInstance } from 'fastify';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase } from '../../server/db/database.ts';
import type { CurrentUser } from '../../server/lib/access.ts';
import { submitBallot } from '../../server/modules/ballots/ballots.service.ts';
import { closeSession } from '../../server/modules/sessions/lifecycle.service.ts';
import { buildTestApp } from '../helpers/app.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { ballotState, createSessionFixture, validAnswers, type SessionFixture } from '../helpers/evaluation.ts';

let tdb: TestDatabase;
let app: FastifyInstance;
let base: string;

beforeAll(async () => {
  tdb = await createTestDatabase({ max: 20 });
  app = await buildTestApp(tdb.db);
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await app.close();
  await tdb.close();
});

async function httpVote(
  token: string,
  clientId: string,
): Promise<{ status: number; body: { receipt?: string; code?: string } }> {
  const res = await fetch(`${base}/api/ballots`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token, clientId, answers: validAnswers() }),
  });
  return { status: res.status, body: (await res.json()) as { receipt?: string; code?: string } };
}

const countOf = (xs: number[], x: number) => xs.filter((v) => v === x).length;

describe('one slip, many concurrent submissions', () => {
  it('accepts exactly one of 50 submissions made on 50 separate database connections', async () => {
    const fx = await createSessionFixture(tdb.db, { slips: 1 });
    const token = fx.tokens[0] as string;
    const dbs = Array.from({ length: 50 }, () => createDatabase(tdb.url, { max: 1 }));
    try {
      const outcomes = await Promise.all(
        dbs.map((d, i) =>
          submitBallot(d.db, { token, clientId: `racer-client-${i}`, answers: validAnswers() }).then(
            (r) => (r.created ? 201 : 200),
            (err: { statusCode?: number }) => err.statusCode ?? 500,
          ),
        ),
      );
      expect([countOf(outcomes, 201), countOf(outcomes, 409)]).toEqual([1, 49]);
    } finally {
      await Promise.all(dbs.map((d) => d.close()));
    }
    expect(await ballotState(tdb.db, fx.sessionId)).toEqual({ ballots: 1, receipts: 1, used: 1, online: 1, paper: 0 });
  });

  it('accepts exactly one of 50 concurrent HTTP requests to a listening server', async () => {
    const fx = await createSessionFixture(tdb.db, { slips: 1 });
    const token = fx.tokens[0] as string;
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => httpVote(token, `http-racer-${i}`)));
    const statuses = results.map((r) => r.status);
    expect([countOf(statuses, 201), countOf(statuses, 409)]).toEqual([1, 49]);
    expect(new Set(results.filter((r) => r.status === 409).map((r) => r.body.code))).toEqual(
      new Set(['SLIP_ALREADY_USED']),
    );
    expect(await ballotState(tdb.db, fx.sessionId)).toMatchObject({ ballots: 1, receipts: 1, used: 1 });
  });

  it('gives concurrent retries of one client the one receipt and stores one ballot', async () => {
    const fx = await createSessionFixture(tdb.db, { slips: 1 });
    const results = await Promise.all(
      Array.from({ length: 20 }, () => httpVote(fx.tokens[0] as string, 'same-client-01')),
    );
    expect(
      countOf(
        results.map((r) => r.status),
        201,
      ),
    ).toBe(1);
    expect(
      countOf(
        results.map((r) => r.status),
        200,
      ),
    ).toBe(19);
    expect(new Set(results.map((r) => r.body.receipt)).size).toBe(1);
    expect(await ballotState(tdb.db, fx.sessionId)).toMatchObject({ ballots: 1, used: 1 });
  });
});

describe('a lost reply', () => {
  it('stores the ballot although the client hung up, and the retry gets its receipt with 200', async () => {
    const fx = await createSessionFixture(tdb.db, { slips: 1 });
    const token = fx.tokens[0] as string;
    const body = JSON.stringify({ token, clientId: 'lost-reply-01', answers: validAnswers() });
    const { port } = app.server.address() as AddressInfo;
    // Send the whole request, then drop the connection without reading the reply.
    await new Promise<void>((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.end(
          `POST /api/ballots HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
            `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
          () => {
            socket.destroy();
            resolve();
          },
        );
      });
      socket.on('error', reject);
    });
    // The server finishes the request on its own; wait (bounded) until the slip is consumed.
    for (let i = 0; i < 200 && (await ballotState(tdb.db, fx.sessionId)).used === 0; i++) {
      await new Promise((r) => setTimeout(r, 25));
    }
    const stored = await tdb.db.selectFrom('receipt').select('code').where('session_id', '=', fx.sessionId).execute();
    expect(stored).toHaveLength(1);
    const retry = await httpVote(token, 'lost-reply-01');
    expect(retry).toEqual({ status: 200, body: { receipt: stored[0]?.code } });
    expect(await ballotState(tdb.db, fx.sessionId)).toEqual({ ballots: 1, receipts: 1, used: 1, online: 1, paper: 0 });
    expect((await httpVote(token, 'someone-else-01')).status).toBe(409);
  });
});

function officialOf(fx: SessionFixture): CurrentUser {
  const t = fx.tree;
  return {
    id: fx.secretary.id,
    username: fx.secretary.username,
    displayName: fx.secretary.username,
    role: 'village',
    regionId: t.village,
    regionPath: [t.city, t.county, t.township, t.village],
  };
}

describe('close while submissions race', () => {
  it('counts every acknowledged ballot and commits nothing after the close', async () => {
    const slips = 300;
    const fx = await createSessionFixture(tdb.db, { slips });
    const acknowledged: string[] = [];
    const refused: string[] = [];
    let closeStarted!: () => void;
    const halfway = new Promise<void>((r) => (closeStarted = r));
    let nextSlip = 0;
    const worker = async () => {
      for (let i = nextSlip++; i < slips; i = nextSlip++) {
        const r = await httpVote(fx.tokens[i] as string, `close-race-${i}`);
        if (r.status === 201) acknowledged.push(r.body.receipt as string);
        else refused.push(`${r.status} ${r.body.code}`);
        if (acknowledged.length === 60) closeStarted();
      }
    };
    const workers = Array.from({ length: 24 }, worker);
    await halfway;
    await closeSession(tdb.db, officialOf(fx), fx.sessionId);
    await Promise.all(workers);

    const session = await tdb.db
      .selectFrom('evaluation_session')
      .select(['status', 'result'])
      .where('id', '=', fx.sessionId)
      .executeTakeFirstOrThrow();
    const result = session.result as { ballots: number; used: number };
    const state = await ballotState(tdb.db, fx.sessionId);
    expect(session.status).toBe('closed');
    expect(acknowledged.length).toBeGreaterThanOrEqual(60);
    expect(refused.length).toBeGreaterThan(0);
    expect(new Set(refused)).toEqual(new Set(['409 SESSION_NOT_OPEN']));
    // every 201 is in the tally, and nothing was stored after it was taken
    expect(result.ballots).toBe(acknowledged.length);
    expect(state).toMatchObject({
      ballots: acknowledged.length,
      receipts: acknowledged.length,
      used: acknowledged.length,
    });
    const receipts = await tdb.db.selectFrom('receipt').select('code').where('session_id', '=', fx.sessionId).execute();
    expect(receipts.map((r) => r.code).sort()).toEqual([...acknowledged].sort());
  });
});
