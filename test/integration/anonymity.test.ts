// Invariant 4 of DESIGN.md: a ballot row holds nothing that could identify its voter, no log line
// holds a token, after close no system column joins a ballot to its slip, and no GET (a chat app's
// link preview, a scanner) consumes or reveals anything.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CurrentUser } from '../../server/lib/access.ts';
import { sha256 } from '../../server/lib/crypto.ts';
import { displayCode } from '../../server/modules/ballots/ballots.rules.ts';
import { submitBallot } from '../../server/modules/ballots/ballots.service.ts';
import { closeSession } from '../../server/modules/sessions/lifecycle.service.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { ballotState, createSessionFixture, validAnswers, type SessionFixture } from '../helpers/evaluation.ts';
import { startServer, type ServerProcess } from '../helpers/server-process.ts';

let tdb: TestDatabase;

beforeAll(async () => {
  tdb = await createTestDatabase();
});

afterAll(async () => {
  await tdb.close();
});

describe('the ballot table', () => {
  it('has only a session and the answers: no time, address, id, slip or client column', async () => {
    const { rows } = await sql<{ column_name: string; data_type: string; column_default: string | null }>`
      select column_name, data_type, column_default from information_schema.columns
      where table_schema = 'public' and table_name = 'ballot' order by column_name`.execute(tdb.db);
    expect(rows).toEqual([
      { column_name: 'answers', data_type: 'jsonb', column_default: null },
      { column_name: 'session_id', data_type: 'integer', column_default: null },
    ]);
    const suspicious = /time|date|inet|cidr|macaddr|uuid|text|char|bytea/;
    expect(rows.filter((r) => suspicious.test(r.data_type))).toEqual([]);
  });

  it('references only its session, is referenced by nothing, and has only the guards that write nothing', async () => {
    const { rows: refs } = await sql<{ conname: string; from_table: string; to_table: string }>`
      select conname, conrelid::regclass::text as from_table, confrelid::regclass::text as to_table
      from pg_constraint where contype = 'f' and (conrelid = 'ballot'::regclass or confrelid = 'ballot'::regclass)`.execute(
      tdb.db,
    );
    expect(refs.map((r) => [r.from_table, r.to_table])).toEqual([['ballot', 'evaluation_session']]);
    // sql/0006's append-only guards: they refuse or check, and write nothing anywhere
    const { rows: triggers } = await sql<{ tgname: string; body: string }>`
      select t.tgname, p.prosrc as body from pg_trigger t join pg_proc p on p.oid = t.tgfoid
      where t.tgrelid = 'ballot'::regclass and not t.tgisinternal order by t.tgname`.execute(tdb.db);
    expect(triggers.map((t) => t.tgname)).toEqual([
      'ballot_delete_rewrite',
      'ballot_insert_open',
      'ballot_no_truncate',
      'ballot_no_update',
    ]);
    expect(triggers.filter((t) => /\b(insert|update|delete|copy|notify)\b/i.test(t.body))).toEqual([]);
  });

  it('keeps receipts apart from ballots: a receipt row is its session and code only', async () => {
    const { rows } = await sql<{ column_name: string }>`
      select column_name from information_schema.columns
      where table_schema = 'public' and table_name = 'receipt' order by column_name`.execute(tdb.db);
    expect(rows.map((r) => r.column_name)).toEqual(['code', 'session_id']);
  });
});

function officialOf(fx: SessionFixture): CurrentUser {
  const t = fx.tree;
  return {
    id: fx.township.id,
    username: fx.township.username,
    displayName: fx.township.username,
    role: 'township',
    regionId: t.township,
    regionPath: [t.city, t.county, t.township],
  };
}

const xminJoins = async (sessionId: number) => {
  const { rows } = await sql<{ slip: number; receipt: number; receipt_slip: number }>`
    select
      (select count(*)::int from ballot b join slip s on s.xmin = b.xmin where b.session_id = ${sessionId}) as slip,
      (select count(*)::int from ballot b join receipt r on r.xmin = b.xmin where b.session_id = ${sessionId}) as receipt,
      (select count(*)::int from receipt r join slip s on s.xmin = r.xmin where r.session_id = ${sessionId}) as receipt_slip
  `.execute(tdb.db);
  return rows[0];
};

describe('after close', () => {
  it('no xmin joins a ballot to a slip or a receipt, and the physical order is not the voting order', async () => {
    const n = 24;
    const fx = await createSessionFixture(tdb.db, { slips: n + 4 });
    for (let i = 0; i < n; i++) {
      const answers = validAnswers(i % 2 ? 'satisfied' : 'dissatisfied', {
        q11: `comment ${String(i).padStart(2, '0')}`,
      });
      await submitBallot(tdb.db, { token: fx.tokens[i] as string, clientId: `anon-client-${i}`, answers });
    }
    // before close the link exists: this is what close must destroy
    expect(await xminJoins(fx.sessionId)).toEqual({ slip: n, receipt: n, receipt_slip: n });

    await closeSession(tdb.db, officialOf(fx), fx.sessionId);
    expect(await xminJoins(fx.sessionId)).toEqual({ slip: 0, receipt: 0, receipt_slip: 0 });
    const { rows } = await sql<{ comment: string; xmin: string }>`
      select answers ->> 'q11' as comment, xmin::text as xmin from ballot where session_id = ${fx.sessionId} order by ctid`.execute(
      tdb.db,
    );
    const comments = rows.map((r) => r.comment);
    expect([...comments].sort()).toEqual(Array.from({ length: n }, (_, i) => `comment ${String(i).padStart(2, '0')}`));
    expect(comments).not.toEqual([...comments].sort());
    expect(new Set(rows.map((r) => r.xmin)).size).toBe(1);
    // a villager whose reply was lost still gets the receipt after the close; another client does not
    const retry = await submitBallot(tdb.db, { token: fx.tokens[3] as string, clientId: 'anon-client-3', answers: {} });
    expect(retry.created).toBe(false);
    const kept = await tdb.db
      .selectFrom('slip')
      .select('receipt')
      .where('token_hash', '=', sha256(fx.tokens[3] as string))
      .executeTakeFirstOrThrow();
    expect(retry.receipt).toBe(kept.receipt);
    await expect(
      submitBallot(tdb.db, { token: fx.tokens[3] as string, clientId: 'someone-else', answers: {} }),
    ).rejects.toMatchObject({ code: 'SESSION_NOT_OPEN' });
    expect(await ballotState(tdb.db, fx.sessionId)).toMatchObject({ ballots: n, used: n, receipts: n });
    // the counts taken at close (countBallots) saw every ballot
    const session = await tdb.db
      .selectFrom('evaluation_session')
      .select('result')
      .where('id', '=', fx.sessionId)
      .executeTakeFirstOrThrow();
    const counts = (
      session.result as { counts: { ballots: number; perQuestion: Record<string, unknown>; comments: string[] } }
    ).counts;
    expect(counts.ballots).toBe(n);
    expect(counts.perQuestion.q1).toEqual({ satisfied: n / 2, basic: 0, dissatisfied: n / 2, unknown: 0 });
    expect(counts.perQuestion.q12).toEqual({ party_member: 0, representative: 0, other: 0 });
    expect([...counts.comments].sort()).toEqual([...comments].sort());
  });
});

describe('the running server', () => {
  let server: ServerProcess;
  let fx: SessionFixture;

  beforeAll(async () => {
    fx = await createSessionFixture(tdb.db, { slips: 12 });
    server = await startServer({ databaseUrl: tdb.url, logLevel: 'trace' });
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });

  const BOTS = [
    'facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)',
    'WhatsApp/2.23.20.0 A',
    'TelegramBot (like TwitterBot)',
    'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)',
    'Twitterbot/1.0',
    'Mozilla/5.0 (Linux; Android 13) AppleWebKit/537.36 Chrome/116.0 Mobile Safari/537.36 MicroMessenger/8.0.43',
  ];

  it('consumes and reveals nothing on GET or HEAD of slip URLs, whoever fetches them', async () => {
    const token = fx.tokens[0] as string;
    const urls = [
      `/v#${token}`,
      `/v?token=${token}`,
      `/v/${token}`,
      `/v%23${token}`,
      '/api/ballot/questionnaire',
      `/api/ballot/questionnaire?token=${token}`,
      '/api/ballots',
      `/api/ballots?token=${token}`,
    ];
    for (const ua of BOTS) {
      for (const u of urls) {
        for (const method of ['GET', 'HEAD']) {
          const res = await fetch(server.url + u, { method, headers: { 'user-agent': ua }, redirect: 'manual' });
          const body = await res.text();
          expect([200, 404, 405]).toContain(res.status);
          expect(body).not.toContain(fx.title);
          expect(body).not.toContain(fx.villageName);
        }
      }
    }
    expect(await ballotState(tdb.db, fx.sessionId)).toEqual({ ballots: 0, receipts: 0, used: 0, online: 0, paper: 0 });
    const still = await fetch(`${server.url}/api/ballot/questionnaire`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token }),
    });
    expect(still.status).toBe(200);
  });

  it('writes no token, in any form, and no token hash to its logs at level trace', async () => {
    const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
      fetch(server.url + url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
    const used = fx.tokens.slice(1, 9);
    const [a, b, c, d, e] = used as [string, string, string, string, string];
    await post('/api/ballot/questionnaire', { token: a });
    await post('/api/ballots', { token: a, clientId: 'log-client-01', answers: validAnswers() });
    await post('/api/ballots', { token: a, clientId: 'log-client-01', answers: validAnswers() }); // retry: 200
    await post('/api/ballots', { token: a, clientId: 'log-client-02', answers: validAnswers() }); // 409
    await post('/api/ballots', {
      token: displayCode(b).toLowerCase(),
      clientId: 'log-client-03',
      answers: { q1: 'nope' },
    }); // 400
    await post('/api/ballots', { token: c, clientId: 'bad', answers: validAnswers() }); // 400 on shape
    await post('/api/ballots', { token: `${d}X`, clientId: 'log-client-04', answers: validAnswers() }); // 404
    await post(`/api/ballots?token=${e}`, { token: e, clientId: 'log-client-05', answers: validAnswers() });
    await fetch(`${server.url}/api/ballots`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: `{"token":"${e}",`,
    }); // bad JSON
    const login = await post('/api/auth/login', { username: fx.secretary.username, password: 'Passw0rd-test' });
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] as string;
    const paper = used[5] as string;
    await post(`/api/sessions/${fx.sessionId}/paper-ballots`, { token: paper, answers: validAnswers() }, { cookie });
    await post(`/api/sessions/${fx.sessionId}/paper-ballots`, { token: paper, answers: validAnswers() }, { cookie }); // 409
    expect(await ballotState(tdb.db, fx.sessionId)).toMatchObject({ online: 2, paper: 1 });

    const log = server.output();
    // the capture works: requests are logged at this level
    expect(log).toMatch(/"url":"\/api\/ballots"/);
    expect(log).toMatch(/"msg":"request refused"/);
    for (const token of fx.tokens) {
      const forms = [
        token,
        displayCode(token),
        token.toLowerCase(),
        sha256(token).toString('hex'),
        sha256(token).toString('base64'),
      ];
      for (const form of forms) expect(log).not.toContain(form);
    }
  });
});
