import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from '../../server/lib/crypto.ts';
import { canonicalJson } from '../../server/modules/audit/audit.rules.ts';
import { defaultRuleSet, describeRules } from '../../server/modules/tallies/tallies.rules.ts';
import { buildTestApp } from '../helpers/app.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { castBallot, validAnswers } from '../helpers/evaluation.ts';
import { call, createCast, type Cast } from '../helpers/officials-api.ts';

let tdb: TestDatabase;
let app: FastifyInstance;
let cast: Cast;
let sessionId: number;
let publicId: string;
let tokens: string[];
const receipts: string[] = [];

// Residents 10, 9 slips: 8 online ballots, all party members, answering the gate 4 满意, 1 基本满意,
// 2 不满意, 1 不了解; one paper ballot leaving the gate blank, with a comment.
const GATE = ['satisfied', 'satisfied', 'satisfied', 'satisfied', 'basic', 'dissatisfied', 'dissatisfied', 'unknown'];

beforeAll(async () => {
  tdb = await createTestDatabase();
  app = await buildTestApp(tdb.db);
  cast = await createCast(tdb.db);
  const created = await call(app, cast.village, 'POST', '/api/sessions', {
    villageId: cast.tree.village,
    title: '2025年度整顿村级自评',
    residentsPresent: 10,
    acknowledgeNoCase: true,
  });
  sessionId = created.body.id;
  publicId = created.body.publicId;
  await call(app, cast.township, 'POST', `/api/sessions/${sessionId}/confirm-residents`, { residentsPresent: 10 });
  const issued = await call(app, cast.village, 'POST', `/api/sessions/${sessionId}/slips`, { count: 9 });
  tokens = issued.body.slips.map((s: { token: string }) => s.token);
  await call(app, cast.village, 'POST', `/api/sessions/${sessionId}/open`);
});

afterAll(async () => {
  await app.close();
  await tdb.close();
});

const url = (path = '') => `/api/sessions/${sessionId}${path}`;

async function xminJoins(): Promise<{ ballotSlip: number; receiptSlip: number }> {
  const { rows } = await sql<{ ballotSlip: number; receiptSlip: number }>`
    select
      (select count(*)::int from ballot b join slip s on b.xmin = s.xmin) as "ballotSlip",
      (select count(*)::int from receipt r join slip s on r.xmin = s.xmin) as "receiptSlip"`.execute(tdb.db);
  return rows[0] as { ballotSlip: number; receiptSlip: number };
}

describe('a session from open to certified', () => {
  it('shows only turnout while open, never results', async () => {
    for (const [i, gate] of GATE.entries()) {
      const r = await castBallot(tdb.db, tokens[i] as string, validAnswers('basic', { q1: gate, q12: 'party_member' }));
      expect(r.outcome).toBe('accepted');
      receipts.push(r.receipt as string);
    }
    const paper = await castBallot(
      tdb.db,
      tokens[8] as string,
      { q2: 'satisfied', q11: '希望加强村务公开' },
      { paper: true },
    );
    receipts.push(paper.receipt as string);
    expect(await call(app, cast.township, 'GET', url('/tally'))).toEqual({
      status: 200,
      body: { status: 'open', residentsPresent: 10, issued: 9, used: 9, remaining: 0, online: 8, paper: 1 },
    });
    // while open the list is answered as one that does not exist
    expect(await call(app, null, 'GET', `/api/public/sessions/${publicId}/receipts`)).toEqual({
      status: 404,
      body: { statusCode: 404, code: 'NOT_FOUND', error: 'Not Found', message: '未找到该对象，或您无权访问' },
    });
    // while open, a ballot and its slip were written by one transaction: the link close must break
    expect((await xminJoins()).ballotSlip).toBeGreaterThan(0);
  });

  it('closes: writes the result with its fingerprint and unlinks every ballot and receipt from its slip', async () => {
    const res = await call(app, cast.village, 'POST', url('/close'));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'closed',
      closedAt: expect.stringMatching(/^\d{4}-/),
      resultHash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    const row = await tdb.db
      .selectFrom('evaluation_session')
      .select(['result', 'result_hash'])
      .where('id', '=', sessionId)
      .executeTakeFirstOrThrow();
    expect(row.result_hash?.toString('hex')).toBe(res.body.resultHash);
    expect(sha256(canonicalJson(row.result)).toString('hex')).toBe(res.body.resultHash);
    expect(row.result).toMatchObject({ residentsPresent: 10, issued: 9, used: 9, ballots: 9, online: 8, paper: 1 });
    expect(await xminJoins()).toEqual({ ballotSlip: 0, receiptSlip: 0 });
    const slips = await tdb.db
      .selectFrom('slip')
      .select(['used', 'client_id', 'receipt'])
      .where('session_id', '=', sessionId)
      .execute();
    expect(slips).toHaveLength(9);
    // slips keep their receipts (a lost reply is answered after the close too); no xmin joins them to ballots
    expect(slips.every((s) => s.used && s.receipt !== null)).toBe(true);
    const audit = await tdb.db
      .selectFrom('audit_event')
      .select(['id', 'hash', 'actor_id', 'detail'])
      .where('action', '=', 'session.close')
      .where('object_id', '=', String(sessionId))
      .executeTakeFirstOrThrow();
    // the close's audit entry anchors the printed result in the chain
    expect(res.body.closeAudit).toEqual({ id: Number(audit.id), hash: audit.hash.toString('hex') });
    expect({ actor_id: audit.actor_id, detail: audit.detail }).toEqual({
      actor_id: cast.village.id,
      detail: {
        outcome: 'fail',
        ballots: 9,
        used: 9,
        issued: 9,
        residentsPresent: 10,
        resultHash: res.body.resultHash,
      },
    });
  });

  it('accepts no ballot and no second close after closing', async () => {
    expect((await castBallot(tdb.db, tokens[0] as string, validAnswers())).outcome).toBe('not_open');
    expect((await call(app, cast.village, 'POST', url('/close'))).body).toMatchObject({
      code: 'INVALID_STATE',
      message: '只有测评中的场次可以结束',
    });
  });

  it('shows the results, the breakdown of the one group of 8, and the verdict with the rule in words', async () => {
    const res = await call(app, cast.township, 'GET', url('/tally'));
    expect(res.status).toBe(200);
    const { results, verdict, ...turnout } = res.body;
    expect(turnout).toEqual({
      status: 'closed',
      residentsPresent: 10,
      issued: 9,
      used: 9,
      remaining: 0,
      online: 8,
      paper: 1,
    });
    expect(verdict).toEqual({
      outcome: 'fail',
      satisfied: 5,
      denominator: 10,
      needed: 1,
      rule: describeRules(defaultRuleSet()),
      checks: [{ name: 'majority', passed: false, text: '满意 5 人，在村人数 10 人，至少需要 6 人' }],
      reason: null,
    });
    const gateOptions = [
      { id: 'satisfied', label: '满意', count: 4, percent: '50.0' },
      { id: 'basic', label: '基本满意', count: 1, percent: '12.5' },
      { id: 'dissatisfied', label: '不满意', count: 2, percent: '25.0' },
      { id: 'unknown', label: '不了解', count: 1, percent: '12.5' },
    ];
    expect(results.ballots).toBe(9);
    expect(results.questions[0]).toMatchObject({ id: 'q1', type: 'choice', options: gateOptions, answered: 8 });
    expect(results.questions[1].options[0]).toEqual({ id: 'satisfied', label: '满意', count: 1, percent: '11.1' });
    expect(results.comments).toEqual(['希望加强村务公开']);
    expect(results.identity).toEqual({
      questionId: 'q12',
      minGroup: 8,
      groups: [{ id: 'party_member', label: '党员', ballots: 8, options: gateOptions }],
      note: null,
    });
  });

  it('publishes the receipts without login, sorted, one per ballot', async () => {
    const res = await call(app, null, 'GET', `/api/public/sessions/${publicId}/receipts`);
    expect(res).toEqual({
      status: 200,
      body: {
        session: { publicId, title: '2025年度整顿村级自评', villageName: expect.any(String), status: 'closed' },
        receipts: [...receipts].sort(),
      },
    });
    expect((await call(app, null, 'GET', `/api/public/sessions/${sessionId}/receipts`)).status).toBe(404);
  });

  it('certifies with the host, scrutineers and counters, who must be different people', async () => {
    const same = await call(app, cast.village, 'POST', url('/certify'), {
      host: '张三',
      scrutineers: ['李四'],
      counters: ['李四'],
    });
    expect(same.status).toBe(400);
    expect(same.body.message).toBe('监票人与计票人应由不同的人担任：李四');
    const blank = await call(app, cast.village, 'POST', url('/certify'), {
      host: '张三',
      scrutineers: [],
      counters: ['王五'],
    });
    expect(blank.status).toBe(400);
    const long = await call(app, cast.village, 'POST', url('/certify'), {
      host: '张'.repeat(33),
      scrutineers: ['李四'],
      counters: ['王五'],
    });
    expect(long.status).toBe(400);
    const certification = { host: '张三', scrutineers: ['李四', '赵六'], counters: ['王五'] };
    const res = await call(app, cast.village, 'POST', url('/certify'), {
      ...certification,
      scrutineers: [' 李四 ', '赵六'],
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'certified',
      certification,
      certifiedAt: expect.stringMatching(/^\d{4}-/),
    });
    expect((await call(app, cast.county, 'POST', url('/void'), { reason: '复查' })).body).toMatchObject({
      code: 'INVALID_STATE',
      message: '已确认的测评不能作废',
    });
    expect((await call(app, cast.township, 'GET', url('/tally'))).body.verdict.outcome).toBe('fail');
  });

  it('recorded every change in session_event and audit_event with who made it', async () => {
    const events = await tdb.db
      .selectFrom('session_event')
      .select(['action', 'official_id'])
      .where('session_id', '=', sessionId)
      .orderBy('id')
      .execute();
    const expected: [string, number][] = [
      ['create', cast.village.id],
      ['confirm_residents', cast.township.id],
      ['issue_slips', cast.village.id],
      ['open', cast.village.id],
      ['close', cast.village.id],
      ['certify', cast.village.id],
    ];
    expect(events.map((e) => [e.action, e.official_id])).toEqual(expected);
    const audit = await tdb.db
      .selectFrom('audit_event')
      .select(['action', 'actor_id'])
      .where('object_type', '=', 'evaluation_session')
      .where('object_id', '=', String(sessionId))
      .orderBy('id')
      .execute();
    expect(audit.map((a) => [a.action, a.actor_id])).toEqual(expected.map(([a, id]) => [`session.${a}`, id]));
  });
});
