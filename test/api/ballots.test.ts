import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { displayCode } from '../../server/modules/ballots/ballots.rules.ts';
import { buildTestApp, sessionCookie } from '../helpers/app.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import {
  ballotState,
  createSessionFixture,
  newToken,
  validAnswers,
  voidSlips,
  type FixtureStatus,
  type SessionFixture,
} from '../helpers/evaluation.ts';
import { createOfficial, TEST_PASSWORD } from '../helpers/factories.ts';

let tdb: TestDatabase;
let app: FastifyInstance;
let fx: SessionFixture;
let next = 0;
/** A fresh, unused slip of the open fixture session. */
const slip = () => fx.tokens[next++] as string;

beforeAll(async () => {
  tdb = await createTestDatabase();
  app = await buildTestApp(tdb.db);
  fx = await createSessionFixture(tdb.db, { slips: 40 });
});

afterAll(async () => {
  await app.close();
  await tdb.close();
});

const post = (url: string, payload: unknown, headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url, payload: payload as object, headers });
const questionnaire = (token: string) => post('/api/ballot/questionnaire', { token });
const vote = (token: string, clientId: string, answers: Record<string, string> = validAnswers()) =>
  post('/api/ballots', { token, clientId, answers });

async function login(username: string): Promise<string> {
  const res = await post('/api/auth/login', { username, password: TEST_PASSWORD });
  expect(res.statusCode).toBe(200);
  return sessionCookie(res);
}

const notOpenBody = (message: string) => ({ statusCode: 409, code: 'SESSION_NOT_OPEN', error: 'Conflict', message });
const usedBody = {
  statusCode: 409,
  code: 'SLIP_ALREADY_USED',
  error: 'Conflict',
  message: '这张测评票已经投过票了，每张票只能投一次',
};

describe('fetching the questionnaire', () => {
  it('returns the session and the frozen questions for a valid slip, consuming nothing', async () => {
    const token = slip();
    const res = await questionnaire(token);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      session: { publicId: fx.publicId, title: fx.title, villageName: fx.villageName, status: 'open' },
      header: fx.questionnaire.header,
      questions: fx.questionnaire.questions.map((q) => ({
        id: q.id,
        text: q.text,
        type: q.type,
        required: q.required,
        ...(q.maxLength !== undefined ? { maxLength: q.maxLength } : {}),
        options: q.options,
      })),
    });
    expect(await ballotState(tdb.db, fx.sessionId)).toMatchObject({ ballots: 0, used: 0 });
  });

  it('accepts a typed code in lower case with the printed dashes and spaces', async () => {
    const token = slip();
    const typed = ` ${displayCode(token).toLowerCase().replace('-', ' - ')} `;
    const res = await questionnaire(typed);
    expect(res.statusCode).toBe(200);
    expect((await vote(typed, 'typed-client-1')).statusCode).toBe(201);
  });
});

describe('submitting a ballot', () => {
  it('answers 201 with a receipt and stores the ballot, its receipt and the turnout', async () => {
    const token = slip();
    const answers = validAnswers('basic', { q11: '  希望多公开村务  ', q12: 'party_member' });
    const res = await vote(token, 'client-first-0001', answers);
    expect(res.statusCode).toBe(201);
    const { receipt } = res.json();
    expect(res.json()).toEqual({ receipt: expect.stringMatching(/^[0-9A-HJ-NP-Z]{10}$/) });
    const ballots = await tdb.db
      .selectFrom('ballot')
      .select('answers')
      .where('session_id', '=', fx.sessionId)
      .execute();
    expect(ballots.map((b) => b.answers)).toContainEqual({ ...answers, q11: '希望多公开村务' });
    const receipts = await tdb.db.selectFrom('receipt').select('code').where('session_id', '=', fx.sessionId).execute();
    expect(receipts.map((r) => r.code)).toContain(receipt);
  });

  it('gives a retry with the same client id 200 and the same receipt, storing nothing more', async () => {
    const token = slip();
    const first = await vote(token, 'client-retry-0001');
    expect(first.statusCode).toBe(201);
    const before = await ballotState(tdb.db, fx.sessionId);
    const retry = await vote(token, 'client-retry-0001');
    expect(retry.statusCode).toBe(200);
    expect(retry.json()).toEqual(first.json());
    expect(await ballotState(tdb.db, fx.sessionId)).toEqual(before);
  });

  it('refuses a second use of the slip by another client with 409 SLIP_ALREADY_USED', async () => {
    const token = slip();
    expect((await vote(token, 'client-owner-0001')).statusCode).toBe(201);
    const before = await ballotState(tdb.db, fx.sessionId);
    const again = await vote(token, 'client-thief-0001', validAnswers('dissatisfied'));
    expect(again.statusCode).toBe(409);
    expect(again.json()).toEqual(usedBody);
    expect((await questionnaire(token)).json()).toEqual(usedBody);
    expect(await ballotState(tdb.db, fx.sessionId)).toEqual(before);
  });

  it('keeps used slips, ballots and receipts equal', async () => {
    const s = await ballotState(tdb.db, fx.sessionId);
    expect(s.ballots).toBe(s.used);
    expect(s.receipts).toBe(s.used);
    expect(s.online).toBe(s.used);
  });
});

describe('a session that is not open', () => {
  const cases: [FixtureStatus, string][] = [
    ['draft', '测评尚未开始'],
    ['closed', '测评已结束'],
    ['certified', '测评已结束'],
    ['void', '测评已结束'],
  ];
  it.each(cases)('answers 409 SESSION_NOT_OPEN for a %s session: %s', async (status, message) => {
    const other = await createSessionFixture(tdb.db, { slips: 2, status });
    const token = other.tokens[0] as string;
    expect((await questionnaire(token)).json()).toEqual(notOpenBody(message));
    const res = await vote(token, 'client-early-0001');
    expect(res.statusCode).toBe(409);
    expect(res.json()).toEqual(notOpenBody(message));
    expect(await ballotState(tdb.db, other.sessionId)).toEqual({
      ballots: 0,
      receipts: 0,
      used: 0,
      online: 0,
      paper: 0,
    });
  });
});

describe('unknown, malformed and voided codes', () => {
  it('all get one byte-identical 404 body, on every route', async () => {
    const voided = slip();
    await voidSlips(tdb.db, [voided]);
    const codes = [newToken(), 'ABC', '0O1I-LLLL-0000-0000', voided, '💣'.repeat(10)];
    const cookie = await login(fx.secretary.username);
    const bodies = new Set<string>();
    for (const token of codes) {
      for (const res of [
        await questionnaire(token),
        await vote(token, 'client-unknown-01'),
        await post(`/api/sessions/${fx.sessionId}/paper-ballots`, { token, answers: validAnswers() }, { cookie }),
      ]) {
        expect(res.statusCode).toBe(404);
        bodies.add(res.body);
      }
    }
    expect([...bodies]).toEqual([
      JSON.stringify({
        statusCode: 404,
        code: 'SLIP_NOT_FOUND',
        error: 'Not Found',
        message: '未找到这张测评票，请核对二维码或票上的测评码',
      }),
    ]);
  });
});

describe('invalid answers', () => {
  const cases: [string, Record<string, string>, string, string][] = [
    ['a required item left out', validAnswers('satisfied', { q3: '' }), 'answers.q3', '第 3 题：请选择一项'],
    [
      'an option the item does not have',
      validAnswers('satisfied', { q5: 'great' }),
      'answers.q5',
      '第 5 题：所选选项不存在',
    ],
    [
      'a comment over 300 characters',
      validAnswers('satisfied', { q11: '好'.repeat(301) }),
      'answers.q11',
      '第 11 题：不能超过 300 字',
    ],
    [
      'a question the questionnaire lacks',
      validAnswers('satisfied', { q99: 'satisfied' }),
      'answers.q99',
      '答案中的 q99：问卷中没有这道题',
    ],
  ];
  it.each(cases)('answers 400 naming the question for %s, storing nothing', async (_name, answers, field, message) => {
    const token = slip();
    const before = await ballotState(tdb.db, fx.sessionId);
    const res = await vote(token, 'client-invalid-01', answers);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED', message, details: [{ field }] });
    expect(await ballotState(tdb.db, fx.sessionId)).toEqual(before);
    expect((await questionnaire(token)).statusCode).toBe(200);
  });

  it('refuses answers that are not strings with 400', async () => {
    const res = await post('/api/ballots', { token: slip(), clientId: 'client-shape-01', answers: { q1: ['a'] } });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('VALIDATION_FAILED');
  });
});

describe('paper entry', () => {
  const paper = (token: string, cookie: string, sessionId = fx.sessionId) =>
    post(`/api/sessions/${sessionId}/paper-ballots`, { token, answers: validAnswers('dissatisfied') }, { cookie });

  it('consumes the slip: a later online vote with it gets 409', async () => {
    const token = slip();
    const before = await ballotState(tdb.db, fx.sessionId);
    const res = await paper(token, await login(fx.secretary.username));
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({ receipt: expect.stringMatching(/^[0-9A-Z]{10}$/) });
    expect((await vote(token, 'client-late-0001')).json()).toEqual(usedBody);
    const after = await ballotState(tdb.db, fx.sessionId);
    expect(after).toEqual({
      ...before,
      ballots: before.ballots + 1,
      receipts: before.receipts + 1,
      used: before.used + 1,
      paper: before.paper + 1,
    });
  });

  it('stores a form with a blank or doubly marked gate item as a ballot whose gate item is blank', async () => {
    const token = slip();
    const { q1: _gate, ...marked } = validAnswers('satisfied');
    const online = await vote(token, 'client-blank-001', marked);
    expect(online.statusCode).toBe(400);
    expect(online.json().message).toBe('第 1 题：请选择一项');
    const before = await ballotState(tdb.db, fx.sessionId);
    const res = await post(
      `/api/sessions/${fx.sessionId}/paper-ballots`,
      { token, answers: marked },
      { cookie: await login(fx.secretary.username) },
    );
    expect(res.statusCode).toBe(201);
    expect(await ballotState(tdb.db, fx.sessionId)).toEqual({
      ...before,
      ballots: before.ballots + 1,
      receipts: before.receipts + 1,
      used: before.used + 1,
      paper: before.paper + 1,
    });
    const stored = await sql<{ n: string }>`
      select count(*) as n from ballot where session_id = ${fx.sessionId} and not answers ? 'q1' and answers->>'q2' = 'satisfied'`.execute(
      tdb.db,
    );
    expect(stored.rows[0]?.n).toBe('1');
  });

  it('cannot enter a slip already used online', async () => {
    const token = slip();
    expect((await vote(token, 'client-online-01')).statusCode).toBe(201);
    const res = await paper(token, await login(fx.township.username));
    expect(res.statusCode).toBe(409);
    expect(res.json()).toEqual(usedBody);
  });

  it("refuses a slip of another session with the one 404, and another village's official with 404", async () => {
    const other = await createSessionFixture(tdb.db, { slips: 2 });
    const mine = await login(fx.secretary.username);
    expect((await paper(other.tokens[0] as string, mine)).json().code).toBe('SLIP_NOT_FOUND');
    const stranger = await login(other.secretary.username);
    const res = await paper(slip(), stranger);
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('NOT_FOUND');
  });

  it('refuses entry into a session that is not open with 409, storing nothing', async () => {
    const closed = await createSessionFixture(tdb.db, { slips: 2, status: 'closed', tree: fx.tree });
    const res = await paper(closed.tokens[0] as string, await login(fx.secretary.username), closed.sessionId);
    expect(res.statusCode).toBe(409);
    expect(res.json()).toEqual({
      statusCode: 409,
      code: 'INVALID_STATE',
      error: 'Conflict',
      message: '测评不在进行中，不能录入纸质票',
      details: { status: 'closed' },
    });
    expect(await ballotState(tdb.db, closed.sessionId)).toMatchObject({ ballots: 0, used: 0 });
  });

  it('refuses an admin with 403 and an anonymous caller with 401', async () => {
    const admin = await createOfficial(tdb.db, 'admin', fx.tree.city);
    expect((await paper(slip(), await login(admin.username))).statusCode).toBe(403);
    expect((await paper(slip(), '')).statusCode).toBe(401);
  });
});
