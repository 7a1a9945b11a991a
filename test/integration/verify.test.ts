// npm run verify (server/modules/audit/verify.service.ts): silent on untouched data; finds every
// one of 100 random single-row tamperings made directly in the database (as someone with the
// database owner's rights would, triggers off), names its place, and is silent again once the row
// is restored exactly; the command itself prints the report and exits 0 or 1; and whole sessions
// reopened, deleted, closed without an audit entry or set back from certified are named.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CurrentUser } from '../../server/lib/access.ts';
import { sha256 } from '../../server/lib/crypto.ts';
import { canonicalJson } from '../../server/modules/audit/audit.rules.ts';
import { CLI_ACTOR, recordAudit } from '../../server/modules/audit/audit.service.ts';
import { verifyDatabase, type VerifyReport } from '../../server/modules/audit/verify.service.ts';
import { countBallots, digestBallots, turnout } from '../../server/modules/ballots/ballots.service.ts';
import { certifySession, closeSession, voidSession } from '../../server/modules/sessions/lifecycle.service.ts';
import type { Questionnaire } from '../../server/modules/sessions/questionnaire.ts';
import { buildResult, identityQuestionOf } from '../../server/modules/tallies/results.rules.ts';
import type { RuleSet } from '../../server/modules/tallies/tallies.rules.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { castBallot, createSessionFixture, type SessionFixture } from '../helpers/evaluation.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const CHOICES = ['satisfied', 'basic', 'dissatisfied', 'unknown'];
const IDENTITIES = ['party_member', 'representative', 'other'];

/** mulberry32: a small seeded PRNG, so a failing round can be replayed from its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEED = Number(process.env.VERIFY_SEED ?? Date.now() % 1_000_000_007);
const rand = prng(SEED);
const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;

function township(fx: SessionFixture): CurrentUser {
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

function randomAnswers(i: number): Record<string, string> {
  const answers: Record<string, string> = {};
  for (let q = 1; q <= 10; q++) answers[`q${q}`] = pick(CHOICES);
  if (i % 3 === 0) answers.q11 = `意见 ${i}：希望${pick(['加强村务公开', '修路', '办好事实事'])}`;
  if (i % 2 === 0) answers.q12 = pick(IDENTITIES);
  return answers;
}

let tdb: TestDatabase;
let attacker: pg.Client;
/** the sessions that were counted and hold ballots */
const counted: number[] = [];
let clean: VerifyReport;

async function notes(n: number, tag: string): Promise<void> {
  for (let i = 0; i < n; i += 25) {
    await tdb.db.transaction().execute(async (trx) => {
      for (let j = i; j < Math.min(n, i + 25); j++) {
        await recordAudit(
          trx,
          CLI_ACTOR,
          'test.note',
          { type: 'note', id: j },
          {
            tag,
            at: new Date(Date.UTC(2026, 0, 1, 8, 0, j)),
            nested: { list: [j, '第 ' + j + ' 条', null], flag: j % 2 === 0 },
          },
        );
      }
    });
  }
}

/** An open session with `ballots` cast, then taken to `end`. */
async function session(ballots: number, end: 'closed' | 'certified' | 'void'): Promise<number> {
  const fx = await createSessionFixture(tdb.db, { slips: ballots + 2, residentsPresent: ballots + 5 });
  for (let i = 0; i < ballots; i++) await castBallot(tdb.db, fx.tokens[i] as string, randomAnswers(i));
  const user = township(fx);
  if (end === 'void') {
    await voidSession(tdb.db, user, fx.sessionId, '组织不规范，重新测评');
    return fx.sessionId;
  }
  await closeSession(tdb.db, user, fx.sessionId);
  if (end === 'certified') {
    await certifySession(tdb.db, user, fx.sessionId, { host: '张主持', scrutineers: ['李监票'], counters: ['王计票'] });
  }
  if (ballots > 0) counted.push(fx.sessionId);
  return fx.sessionId;
}

beforeAll(async () => {
  tdb = await createTestDatabase();
  attacker = new pg.Client({ connectionString: tdb.url });
  await attacker.connect();
  // as the database owner would: ordinary triggers (sql/0003, sql/0006) do not fire
  await attacker.query('set session_replication_role = replica');
  await notes(120, 'before');
  await session(14, 'closed');
  await session(11, 'certified');
  await session(9, 'void');
  await session(0, 'closed');
  await session(17, 'certified');
  await session(12, 'closed');
  await notes(180, 'after');
  clean = await verifyDatabase(tdb.db);
}, 120_000);

afterAll(async () => {
  await attacker?.end();
  await tdb?.close();
});

async function auditHead(): Promise<{ id: number; hash: string }> {
  const { rows } = await attacker.query<{ id: string; hash: Buffer }>(
    'select id, hash from audit_event order by id desc limit 1',
  );
  const row = rows[0] as { id: string; hash: Buffer };
  return { id: Number(row.id), hash: row.hash.toString('hex') };
}

describe('on untouched data', () => {
  it('reports every entry and every counted session consistent, and the chain head', async () => {
    const { rows } = await attacker.query<{ audit: number; sessions: number; ballots: number }>(`
      select (select count(*)::int from audit_event) as audit,
        (select count(*)::int from evaluation_session where status in ('closed', 'certified')) as sessions,
        (select count(*)::int from ballot b join evaluation_session s on s.id = b.session_id
          where s.status in ('closed', 'certified')) as ballots`);
    expect(rows[0]).toEqual({ audit: clean.auditEntries, sessions: 5, ballots: 54 });
    expect(clean).toEqual({
      auditEntries: expect.any(Number),
      sessions: 5,
      ballots: 54,
      head: await auditHead(),
      problems: [],
    });
    expect(clean.auditEntries).toBeGreaterThan(300);
  });

  it('writes a version 2 result with the digest of the ballots at close', async () => {
    const { rows } = await attacker.query<{ version: number; digest: string }>(
      `select (result ->> 'version')::int as version, result ->> 'ballotDigest' as digest
       from evaluation_session where status in ('closed', 'certified')`,
    );
    expect(rows).toHaveLength(5);
    for (const r of rows) expect(r).toEqual({ version: 2, digest: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });
});

// One tampering: applies itself and returns the place the verifier must name and the undo.
interface Tampering {
  name: string;
  place: { kind: 'audit' | 'session'; ids: number[] };
  undo: () => Promise<void>;
}

async function randomBallot(sessionId: number): Promise<{ ctid: string; answers: Record<string, string> }> {
  const { rows } = await attacker.query<{ ctid: string; answers: Record<string, string> }>(
    'select ctid::text as ctid, answers from ballot where session_id = $1',
    [sessionId],
  );
  return pick(rows);
}

async function setAnswers(ctid: string, answers: unknown): Promise<string> {
  const { rows } = await attacker.query<{ ctid: string }>(
    'update ballot set answers = $2::jsonb where ctid = $1::tid returning ctid::text as ctid',
    [ctid, JSON.stringify(answers)],
  );
  return (rows[0] as { ctid: string }).ctid;
}

async function tamperBallot(): Promise<Tampering> {
  const sessionId = pick(counted);
  const place = { kind: 'session' as const, ids: [sessionId] };
  const kind = pick(['choice', 'comment', 'key', 'delete', 'insert']);
  const b = await randomBallot(sessionId);
  if (kind === 'delete') {
    await attacker.query('delete from ballot where ctid = $1::tid', [b.ctid]);
    const undo = async () => {
      await attacker.query('insert into ballot (session_id, answers) values ($1, $2::jsonb)', [
        sessionId,
        JSON.stringify(b.answers),
      ]);
    };
    return { name: `delete a ballot of session ${sessionId}`, place, undo };
  }
  if (kind === 'insert') {
    const { rows } = await attacker.query<{ ctid: string }>(
      'insert into ballot (session_id, answers) values ($1, $2::jsonb) returning ctid::text as ctid',
      [sessionId, JSON.stringify(b.answers)],
    );
    const ctid = (rows[0] as { ctid: string }).ctid;
    const undo = async () => {
      await attacker.query('delete from ballot where ctid = $1::tid', [ctid]);
    };
    return { name: `insert a copy of a ballot into session ${sessionId}`, place, undo };
  }
  const changed = { ...b.answers };
  if (kind === 'choice') {
    const q = `q${1 + Math.floor(rand() * 10)}`;
    changed[q] = pick(CHOICES.filter((c) => c !== b.answers[q]));
  } else if (kind === 'comment') {
    changed.q11 = b.answers.q11 === undefined ? '新加的意见' : `${b.answers.q11}。`;
  } else {
    changed.q99 = 'x';
  }
  const ctid = await setAnswers(b.ctid, changed);
  return {
    name: `${kind} in a ballot of session ${sessionId}: ${JSON.stringify(changed)}`,
    place,
    undo: async () => {
      await setAnswers(ctid, b.answers);
    },
  };
}

async function tamperResult(): Promise<Tampering> {
  const sessionId = pick(counted);
  const place = { kind: 'session' as const, ids: [sessionId] };
  const { rows } = await attacker.query<{ result: string; hash: Buffer }>(
    'select result::text as result, result_hash as hash from evaluation_session where id = $1',
    [sessionId],
  );
  const { result, hash } = rows[0] as { result: string; hash: Buffer };
  const change = pick([
    `jsonb_set(result, '{counts,perQuestion,q1,satisfied}', to_jsonb((result #>> '{counts,perQuestion,q1,satisfied}')::int + 1))`,
    `jsonb_set(result, '{verdict,outcome}', case when result #>> '{verdict,outcome}' = 'pass' then '"fail"' else '"pass"' end::jsonb)`,
    `jsonb_set(result, '{residentsPresent}', to_jsonb((result ->> 'residentsPresent')::int + 1))`,
    'hash',
  ]);
  if (change === 'hash') {
    const other = Buffer.from(hash);
    other[0] = (other[0] as number) ^ 0xff;
    await attacker.query('update evaluation_session set result_hash = $2 where id = $1', [sessionId, other]);
  } else {
    await attacker.query(`update evaluation_session set result = ${change} where id = $1`, [sessionId]);
  }
  const undo = async () => {
    await attacker.query('update evaluation_session set result = $2::jsonb, result_hash = $3 where id = $1', [
      sessionId,
      result,
      hash,
    ]);
  };
  return { name: `session ${sessionId}: ${change}`, place, undo };
}

async function tamperAudit(): Promise<Tampering> {
  const { rows: ids } = await attacker.query<{ id: string }>('select id from audit_event order by id');
  const index = Math.floor(rand() * ids.length);
  const id = Number((ids[index] as { id: string }).id);
  const next = ids[index + 1] ? Number((ids[index + 1] as { id: string }).id) : id;
  const { rows } = await attacker.query<Record<string, unknown>>(
    `select id, at::text as at, actor_id, actor_username, actor_role, region_id, action, object_type, object_id,
       detail::text as detail, prev_hash, hash from audit_event where id = $1`,
    [id],
  );
  const row = rows[0] as Record<string, unknown>;
  const field = pick(['action', 'detail', 'actor_username', 'at', 'prev_hash', 'hash', 'delete']);
  if (field === 'delete') {
    await attacker.query('delete from audit_event where id = $1', [id]);
    const undo = async () => {
      await attacker.query(
        `insert into audit_event (id, at, actor_id, actor_username, actor_role, region_id, action, object_type,
           object_id, detail, prev_hash, hash) overriding system value
         values ($1, $2::timestamptz, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11, $12)`,
        [
          row.id,
          row.at,
          row.actor_id,
          row.actor_username,
          row.actor_role,
          row.region_id,
          row.action,
          row.object_type,
          row.object_id,
          row.detail,
          row.prev_hash,
          row.hash,
        ],
      );
    };
    // a deleted entry is named by the one after it; the last one by the head written down before
    return { name: `delete audit entry ${id}`, place: { kind: 'audit', ids: [next] }, undo };
  }
  const set: Record<string, string> = {
    action: `action = action || '.x'`,
    detail: `detail = detail || '{"added": true}'`,
    actor_username: `actor_username = actor_username || '改'`,
    at: `at = at + interval '1 millisecond'`,
    prev_hash: `prev_hash = sha256(prev_hash)`,
    hash: `hash = sha256(hash)`,
  };
  await attacker.query(`update audit_event set ${set[field]} where id = $1`, [id]);
  const undo = async () => {
    const cast = field === 'at' ? '::timestamptz' : field === 'detail' ? '::jsonb' : '';
    await attacker.query(`update audit_event set ${field} = $2${cast} where id = $1`, [id, row[field]]);
  };
  return { name: `audit entry ${id}: ${set[field]}`, place: { kind: 'audit', ids: [id] }, undo };
}

describe('after a single-row tampering made directly in the database', () => {
  it('finds 100 of 100 random tamperings, names their place, and is clean once each is undone', async () => {
    const head = clean.head ?? undefined;
    let detected = 0;
    for (let round = 0; round < 100; round++) {
      const what = pick(['ballot', 'ballot', 'result', 'audit', 'audit']);
      const t =
        what === 'ballot' ? await tamperBallot() : what === 'result' ? await tamperResult() : await tamperAudit();
      const label = `seed ${SEED} (VERIFY_SEED=${SEED} replays it), round ${round}: ${t.name}`;
      const report = await verifyDatabase(tdb.db, { knownHead: head });
      const places = report.problems.map((p) => `${p.kind}:${p.id}`);
      expect(places, label).toEqual(expect.arrayContaining(t.place.ids.map((id) => `${t.place.kind}:${id}`)));
      detected++;
      await t.undo();
      expect((await verifyDatabase(tdb.db, { knownHead: head })).problems, `${label} (after undo)`).toEqual([]);
    }
    expect(detected).toBe(100);
  }, 300_000);
});

describe('the set-based recount', () => {
  it("gives the per-session recount's report word for word, also for ballots no application would store", async () => {
    const [first, second, third] = counted as [number, number, number];
    // inserted as the database owner would: numbers, null and objects (counted by SQL, digested in
    // Node), keys an object would reorder or inherit, and characters JSON must escape
    const odd: [number, string][] = [
      [
        first,
        '{"q1": 1, "q2": null, "q3": {"b": [1, "x"], "a": true}, "q11": {"意见": [1.50, "二"]}, "q99": "😀 \\u0001 \\"引号\\" \\\\", "q12": "other"}',
      ],
      [first, '{"q12": "party_member", "q11": "只答了身份"}'],
      [
        second,
        '{"q1": "satisfied", "10": "十", "__proto__": "p", "😀": "e", "\\ue000": "pua", "q11": "意见\\n\\t", "q12": "alien"}',
      ],
      [second, '{"q12": "other", "q1": "nonsense"}'],
      [
        third,
        '{"q1": "basic", "Q1": "satisfied", "q11": "\\u2028 \\u007f ☃ 😀 \\ud83d\\ude00", "q12": "representative"}',
      ],
    ];
    const ctids: string[] = [];
    try {
      for (const [sessionId, answers] of odd) {
        const { rows } = await attacker.query<{ ctid: string }>(
          'insert into ballot (session_id, answers) values ($1, $2::jsonb) returning ctid::text as ctid',
          [sessionId, answers],
        );
        ctids.push((rows[0] as { ctid: string }).ctid);
      }
      const perSession = await verifyDatabase(tdb.db, { perSession: true });
      const setBased = await verifyDatabase(tdb.db);
      expect(setBased).toEqual(perSession);
      for (const id of [first, second, third]) {
        expect(setBased.problems).toContainEqual(
          expect.objectContaining({ kind: 'session', id, what: '结果字段 ballotDigest 与按原始选票重新清点的不符' }),
        );
        expect(setBased.problems).toContainEqual(
          expect.objectContaining({
            kind: 'session',
            id,
            what: expect.stringMatching(/^结果字段 counts\.perQuestion\.q12\.\w+ 与按原始选票重新清点的不符$/),
          }),
        );
      }
    } finally {
      for (const ctid of ctids) await attacker.query('delete from ballot where ctid = $1::tid', [ctid]);
    }
    expect((await verifyDatabase(tdb.db)).problems).toEqual([]);
  });
});

describe('a result rewritten together with its hash', () => {
  it('is caught by the hash in the close audit entry', async () => {
    const sessionId = counted[1] as number;
    const { rows } = await attacker.query<{ result: string; hash: Buffer; closed: string }>(
      'select result::text as result, result_hash as hash, closed_at::text as closed from evaluation_session where id = $1',
      [sessionId],
    );
    const before = rows[0] as { result: string; hash: Buffer; closed: string };
    // a closing time moved consistently everywhere but in the audit chain: the recount agrees
    const moved = { ...(JSON.parse(before.result) as Record<string, unknown>), closedAt: '2026-01-02T03:04:05.678Z' };
    const movedHash = sha256(canonicalJson(moved));
    await attacker.query(
      `update evaluation_session set result = $2::jsonb, result_hash = $3, closed_at = '2026-01-02T03:04:05.678Z'
       where id = $1`,
      [sessionId, JSON.stringify(moved), movedHash],
    );
    try {
      const report = await verifyDatabase(tdb.db);
      expect(report.problems).toEqual([
        {
          kind: 'session',
          id: sessionId,
          where: expect.any(String),
          what: 'result_hash 与审计链中结束记录所载的哈希不符',
          expected: before.hash.toString('hex'),
          found: movedHash.toString('hex'),
        },
      ]);
    } finally {
      await attacker.query(
        'update evaluation_session set result = $2::jsonb, result_hash = $3, closed_at = $4::timestamptz where id = $1',
        [sessionId, before.result, before.hash, before.closed],
      );
    }
    expect((await verifyDatabase(tdb.db)).problems).toEqual([]);
  });
});

function runVerify(args: string[] = [], url = tdb.url) {
  // node --import tsx: the same separate process as the tsx binary, without the second node it starts
  return spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts/verify.ts'), ...args], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: url, LOG_LEVEL: 'silent' },
    encoding: 'utf8',
    timeout: 120_000,
  });
}

describe('npm run verify', () => {
  it('prints the clean report with the chain head and exits 0', () => {
    const run = runVerify();
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
    const head = clean.head as { id: number; hash: string };
    expect(run.stdout).toBe(
      [
        '测评数据核验报告',
        `审计记录：${clean.auditEntries} 条；已结束/已确认的测评场次：5 个；重新清点选票：54 张`,
        `审计链头：第 ${head.id} 条 ${head.hash}`,
        '（请记下或公布链头；以后运行 npm run verify -- --head 编号:哈希 可核对它仍在链中）',
        '',
        '结论：全部一致',
        '',
      ].join('\n'),
    );
  }, 120_000);

  it('exits 1 naming the session and what differs after a ballot was changed', async () => {
    const sessionId = counted[0] as number;
    const village = await tdb.db
      .selectFrom('evaluation_session as s')
      .innerJoin('region as v', 'v.id', 's.village_id')
      .select('v.name')
      .where('s.id', '=', sessionId)
      .executeTakeFirstOrThrow();
    const b = await randomBallot(sessionId);
    const ctid = await setAnswers(b.ctid, { ...b.answers, q99: '多出的键' });
    try {
      const run = runVerify(['--head', `${clean.head?.id}:${clean.head?.hash}`]);
      expect(run.status).toBe(1);
      expect(run.stdout).toContain('结论：发现 1 处不一致');
      expect(run.stdout).toContain(
        `- 测评场次 #${sessionId}（${village.name}）：结果字段 ballotDigest 与按原始选票重新清点的不符`,
      );
    } finally {
      await setAnswers(ctid, b.answers);
    }
  }, 120_000);

  it('changes nothing: refuses a database whose schema is behind instead of migrating it, exit 2', async () => {
    const db = await createTestDatabase();
    const su = new pg.Client({ connectionString: db.url });
    await su.connect();
    try {
      // schema_migration belongs to the migrator, not to the generated table types: plain SQL here
      const migrated = async () =>
        (await su.query<{ name: string }>('select name from schema_migration order by name')).rows.map((r) => r.name);
      const before = await migrated();
      const last = before.at(-1) as string;
      await su.query('delete from schema_migration where name = $1', [last]);
      const run = runVerify([], db.url);
      expect(run.status).toBe(2);
      expect(run.stderr).toBe(
        `核验未能完成：数据库结构落后于本程序（未应用 1 个迁移：${last}）。核验不改动数据库：请先运行 npm run migrate，或用与该数据库同一版本的程序核验\n`,
      );
      expect(await migrated()).toEqual(before.slice(0, -1));
    } finally {
      await su.end();
      await db.close();
    }
  }, 120_000);

  it('reads in read-only transactions: a clean run works for a role that may only read', async () => {
    const admin = new pg.Client({ connectionString: tdb.url });
    await admin.connect();
    const role = `vre_ro_${process.pid}`;
    try {
      await admin.query(`drop role if exists ${role}`);
      // a password: the embedded server asks for one (scram-sha-256), the CI server trusts
      const password = `ro-${Math.random().toString(36).slice(2)}`;
      await admin.query(`create role ${role} login password '${password}'`);
      await admin.query(`grant pg_read_all_data to ${role}`);
      const url = new URL(tdb.url);
      url.username = role;
      url.password = password;
      const run = runVerify([], url.toString());
      expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
      expect(run.stdout).toContain('结论：全部一致');
    } finally {
      await admin.query(`drop owned by ${role}`).catch(() => undefined);
      await admin.query(`drop role if exists ${role}`).catch(() => undefined);
      await admin.end();
    }
  }, 120_000);

  it('exits 2 with the usage when --head is malformed', () => {
    const run = runVerify(['--head', 'nonsense']);
    expect(run.status).toBe(2);
    expect(run.stderr).toBe(
      '--head 的格式应为 编号:64位十六进制哈希，当前为 "nonsense"\n用法：npm run verify [-- --head 编号:哈希]\n',
    );
  }, 120_000);
});

// Whole sessions changed behind the application's back, each on a database of its own: a closed
// session with ballots (certified for the last case, still open for the close without an entry),
// verified clean, then changed by a superuser with the triggers off.
describe('npm run verify against the history in the audit chain', () => {
  interface Case {
    end: 'open' | 'closed' | 'certified';
    tamper: (su: pg.Client, db: TestDatabase, sessionId: number) => Promise<void>;
  }

  async function run(
    c: Case,
  ): Promise<{ sessionId: number; village: string; closeAuditId: number | null; stdout: string }> {
    const db = await createTestDatabase();
    const su = new pg.Client({ connectionString: db.url });
    try {
      const fx = await createSessionFixture(db.db, { slips: 8, residentsPresent: 10 });
      for (let i = 0; i < 5; i++) await castBallot(db.db, fx.tokens[i] as string, randomAnswers(i));
      if (c.end !== 'open') await closeSession(db.db, township(fx), fx.sessionId);
      if (c.end === 'certified') {
        await certifySession(db.db, township(fx), fx.sessionId, {
          host: '张主持',
          scrutineers: ['李监票'],
          counters: ['王计票'],
        });
      }
      const untouched = runVerify([], db.url);
      expect({ status: untouched.status, stdout: untouched.stdout }).toEqual({
        status: 0,
        stdout: expect.stringContaining('\n结论：全部一致\n'),
      });
      await su.connect();
      await su.query('set session_replication_role = replica');
      await c.tamper(su, db, fx.sessionId);
      const close = await db.db
        .selectFrom('audit_event')
        .select('id')
        .where('action', '=', 'session.close')
        .where('object_id', '=', String(fx.sessionId))
        .executeTakeFirst();
      const after = runVerify([], db.url);
      expect({ status: after.status, stderr: after.stderr }).toEqual({ status: 1, stderr: '' });
      expect(after.stdout).toContain('结论：发现 1 处不一致');
      return {
        sessionId: fx.sessionId,
        village: fx.villageName,
        closeAuditId: close ? Number(close.id) : null,
        stdout: after.stdout,
      };
    } finally {
      await su.end().catch(() => undefined);
      await db.close();
    }
  }

  it('names a closed session set back to open', async () => {
    const r = await run({
      end: 'closed',
      tamper: async (su, _db, id) => {
        await su.query(
          `update evaluation_session set status = 'open', closed_at = null, result = null, result_hash = null
           where id = $1`,
          [id],
        );
      },
    });
    expect(r.stdout).toContain(
      [
        `- 测评场次 #${r.sessionId}（${r.village}）：状态倒退：审计链记载为已结束，场次现为测评中`,
        `    应为：已结束或其后的状态（审计记录第 ${r.closeAuditId} 条 session.close）`,
        '    实为：测评中',
      ].join('\n'),
    );
  }, 120_000);

  it('names a closed session deleted with its ballots, receipts, slips and events', async () => {
    const r = await run({
      end: 'closed',
      tamper: async (su, _db, id) => {
        for (const table of ['ballot', 'receipt', 'slip', 'slip_batch', 'turnout_shard', 'session_event']) {
          await su.query(`delete from ${table} where session_id = $1`, [id]);
        }
        await su.query('delete from evaluation_session where id = $1', [id]);
        const { rows } = await su.query<{ n: number }>(
          `select (select count(*) from ballot) + (select count(*) from receipt) + (select count(*) from slip)
             + (select count(*) from session_event) + (select count(*) from evaluation_session) as n`,
        );
        expect(Number(rows[0]?.n)).toBe(0);
      },
    });
    expect(r.stdout).toContain('已结束/已确认的测评场次：0 个');
    expect(r.stdout).toContain(
      [
        `- 测评场次 #${r.sessionId}（${r.village}）：场次已不存在（被删除），而审计链中有它的记录`,
        `    应为：已结束（审计记录第 ${r.closeAuditId} 条 session.close）`,
        '    实为：（无此场次）',
      ].join('\n'),
    );
  }, 120_000);

  it('names a session closed without an entry in the audit chain', async () => {
    const r = await run({
      end: 'open',
      // a result exactly as close would build it from the ballots, so only the missing entry differs
      tamper: async (su, db, id) => {
        const s = await db.db
          .selectFrom('evaluation_session')
          .select(['residents_present', 'issued_count', 'questionnaire', 'rules'])
          .where('id', '=', id)
          .executeTakeFirstOrThrow();
        const rules = s.rules as unknown as RuleSet;
        const questionnaire = s.questionnaire as unknown as Questionnaire;
        const identityQuestionId = identityQuestionOf(questionnaire, rules);
        const result = buildResult({
          sessionId: id,
          closedAt: new Date(),
          residentsPresent: s.residents_present,
          issued: s.issued_count,
          questionnaire,
          rules,
          turnout: await turnout(db.db, id),
          counts: await countBallots(db.db, id, {
            gateQuestionId: rules.gateQuestionId,
            ...(identityQuestionId ? { identityQuestionId } : {}),
          }),
          ballotDigest: await digestBallots(db.db, id),
        });
        await su.query(
          `update evaluation_session set status = 'closed', closed_at = $2, result = $3::jsonb, result_hash = $4
           where id = $1`,
          [id, result.closedAt, JSON.stringify(result), sha256(canonicalJson(result))],
        );
      },
    });
    expect(r.closeAuditId).toBeNull();
    expect(r.stdout).toContain(
      [
        `- 测评场次 #${r.sessionId}（${r.village}）：审计链中没有此场次的结束记录（session.close）`,
        '    应为：1 条',
        '    实为：0 条',
      ].join('\n'),
    );
  }, 120_000);

  it('names a certified session set back to closed', async () => {
    const r = await run({
      end: 'certified',
      tamper: async (su, _db, id) => {
        await su.query(
          `update evaluation_session set status = 'closed', certified_at = null, certification = null where id = $1`,
          [id],
        );
      },
    });
    expect(r.stdout).toContain(
      `- 测评场次 #${r.sessionId}（${r.village}）：状态倒退：审计链记载为已确认，场次现为已结束`,
    );
  }, 120_000);
});
