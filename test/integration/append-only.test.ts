// sql/0006 and sql/0003: through the application's own connection, counted records cannot be
// changed. Ballots and receipts are written only while their session is open (submissions, and
// the rewrite of close and void under the session's exclusive lock); a written result never
// changes; a counted session never goes back to voting and is never deleted; the audit log is
// append-only. Every refusal is insufficient_privilege (42501).
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CurrentUser } from '../../server/lib/access.ts';
import { certifySession, closeSession, voidSession } from '../../server/modules/sessions/lifecycle.service.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import {
  ballotState,
  castBallot,
  createSessionFixture,
  validAnswers,
  type SessionFixture,
} from '../helpers/evaluation.ts';

let tdb: TestDatabase;
let open: SessionFixture;
let closed: SessionFixture;

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

async function withBallots(n: number): Promise<SessionFixture> {
  const fx = await createSessionFixture(tdb.db, { slips: n + 1 });
  for (let i = 0; i < n; i++) {
    expect((await castBallot(tdb.db, fx.tokens[i] as string, validAnswers())).outcome).toBe('accepted');
  }
  return fx;
}

const refused = (message: string | RegExp) => ({ code: '42501', message: expect.stringMatching(message) });

beforeAll(async () => {
  tdb = await createTestDatabase();
  open = await withBallots(3);
  closed = await withBallots(4);
  await closeSession(tdb.db, township(closed), closed.sessionId);
});

afterAll(async () => {
  await tdb.close();
});

async function resultOf(id: number) {
  return tdb.db
    .selectFrom('evaluation_session')
    .select(['status', 'result', 'result_hash'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
}

describe('ballots', () => {
  it('refuse any UPDATE, of an open or a closed session', async () => {
    for (const fx of [open, closed]) {
      await expect(
        sql`update ballot set answers = answers || '{"q1":"dissatisfied"}' where session_id = ${fx.sessionId}`.execute(
          tdb.db,
        ),
      ).rejects.toMatchObject(refused('选票不可修改'));
    }
  });

  it('refuse DELETE and INSERT for a closed session, and TRUNCATE', async () => {
    await expect(sql`delete from ballot where session_id = ${closed.sessionId}`.execute(tdb.db)).rejects.toMatchObject(
      refused('ballot 表的记录只能在结束或作废测评时整体重写'),
    );
    await expect(
      sql`insert into ballot (session_id, answers) values (${closed.sessionId}, '{"q1":"satisfied"}')`.execute(tdb.db),
    ).rejects.toMatchObject(refused(`测评场次 ${closed.sessionId} 不在进行中（closed）`));
    await expect(sql`truncate ballot`.execute(tdb.db)).rejects.toMatchObject(refused('选票不可清空'));
    expect(await ballotState(tdb.db, closed.sessionId)).toMatchObject({ ballots: 4, receipts: 4 });
  });

  it('refuse DELETE for an open session unless the transaction holds the session lock exclusively', async () => {
    await expect(sql`delete from ballot where session_id = ${open.sessionId}`.execute(tdb.db)).rejects.toMatchObject(
      refused('不能删除'),
    );
    // a submission's lock (shared) is not enough
    await expect(
      tdb.db.transaction().execute(async (trx) => {
        await sql`select pg_advisory_xact_lock_shared(727100, ${open.sessionId})`.execute(trx);
        await sql`delete from ballot where session_id = ${open.sessionId}`.execute(trx);
      }),
    ).rejects.toMatchObject(refused('不能删除'));
    // another session's lock is not either
    await expect(
      tdb.db.transaction().execute(async (trx) => {
        await sql`select pg_advisory_xact_lock(727100, ${closed.sessionId})`.execute(trx);
        await sql`delete from ballot where session_id = ${open.sessionId}`.execute(trx);
      }),
    ).rejects.toMatchObject(refused('不能删除'));
    expect(await ballotState(tdb.db, open.sessionId)).toMatchObject({ ballots: 3, receipts: 3 });
  });

  it('allow the rewrite of close: delete and re-insert under the exclusive lock while open', async () => {
    await tdb.db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(727100, ${open.sessionId})`.execute(trx);
      await sql`
        with gone as (delete from ballot where session_id = ${open.sessionId} returning answers)
        insert into ballot (session_id, answers) select ${open.sessionId}, answers from gone`.execute(trx);
    });
    expect(await ballotState(tdb.db, open.sessionId)).toMatchObject({ ballots: 3, receipts: 3 });
  });

  it('are refused for a draft session', async () => {
    const draft = await createSessionFixture(tdb.db, { slips: 1, status: 'draft' });
    await expect(
      sql`insert into ballot (session_id, answers) values (${draft.sessionId}, '{}')`.execute(tdb.db),
    ).rejects.toMatchObject(refused(`测评场次 ${draft.sessionId} 不在进行中（draft）`));
  });
});

describe('receipts', () => {
  it('refuse UPDATE, and DELETE or INSERT for a closed session', async () => {
    await expect(
      sql`update receipt set code = 'ABCDEFGH' where session_id = ${closed.sessionId}`.execute(tdb.db),
    ).rejects.toMatchObject(refused('回执不可修改'));
    await expect(sql`delete from receipt where session_id = ${closed.sessionId}`.execute(tdb.db)).rejects.toMatchObject(
      refused('receipt 表的记录只能在结束或作废测评时整体重写'),
    );
    await expect(
      sql`insert into receipt (session_id, code) values (${closed.sessionId}, 'ZZZZZZZZ')`.execute(tdb.db),
    ).rejects.toMatchObject(refused('不在进行中'));
    await expect(sql`truncate receipt`.execute(tdb.db)).rejects.toMatchObject(refused('回执不可清空'));
  });
});

describe('a counted session', () => {
  it('keeps its result and result hash: any change is refused', async () => {
    const before = await resultOf(closed.sessionId);
    expect(before.status).toBe('closed');
    const id = closed.sessionId;
    await expect(
      sql`update evaluation_session set result = jsonb_set(result, '{ballots}', '5') where id = ${id}`.execute(tdb.db),
    ).rejects.toMatchObject(refused(`测评场次 ${id} 的结果已写定，不能修改`));
    await expect(
      sql`update evaluation_session set result_hash = sha256(result_hash) where id = ${id}`.execute(tdb.db),
    ).rejects.toMatchObject(refused('结果已写定'));
    await expect(
      sql`update evaluation_session set result = null, result_hash = null, status = 'void', void_reason = 'x' where id = ${id}`.execute(
        tdb.db,
      ),
    ).rejects.toMatchObject(refused('结果已写定'));
    expect(await resultOf(id)).toEqual(before);
  });

  it('never returns to voting and is never deleted or truncated', async () => {
    const id = closed.sessionId;
    await expect(
      sql`update evaluation_session set status = 'open' where id = ${id}`.execute(tdb.db),
    ).rejects.toMatchObject(refused(`测评场次 ${id} 已结束或作废，不能回到 open`));
    await expect(sql`delete from evaluation_session where id = ${id}`.execute(tdb.db)).rejects.toMatchObject(
      refused(`已结束的测评场次 ${id} 不能删除`),
    );
    await expect(sql`truncate evaluation_session cascade`.execute(tdb.db)).rejects.toMatchObject(refused('不可清空'));
  });

  it('can still be certified, after which its status is final', async () => {
    const fx = await withBallots(2);
    await closeSession(tdb.db, township(fx), fx.sessionId);
    const closedRow = await resultOf(fx.sessionId);
    await certifySession(tdb.db, township(fx), fx.sessionId, { host: '甲', scrutineers: ['乙'], counters: ['丙'] });
    expect(await resultOf(fx.sessionId)).toEqual({ ...closedRow, status: 'certified' });
    await expect(
      sql`update evaluation_session set status = 'closed' where id = ${fx.sessionId}`.execute(tdb.db),
    ).rejects.toMatchObject(refused('已确认，状态不能再改变'));
  });

  it('can still be voided after close, keeping its result', async () => {
    const fx = await withBallots(2);
    await closeSession(tdb.db, township(fx), fx.sessionId);
    const closedRow = await resultOf(fx.sessionId);
    await voidSession(tdb.db, township(fx), fx.sessionId, '程序不规范');
    expect(await resultOf(fx.sessionId)).toEqual({ ...closedRow, status: 'void' });
    expect(await ballotState(tdb.db, fx.sessionId)).toMatchObject({ ballots: 2, receipts: 2 });
  });
});

describe('the close and void of an open session', () => {
  it('still rewrite its ballots and receipts', async () => {
    const toVoid = await withBallots(3);
    await voidSession(tdb.db, township(toVoid), toVoid.sessionId, '组织不规范');
    expect(await ballotState(tdb.db, toVoid.sessionId)).toMatchObject({ ballots: 3, receipts: 3, used: 3 });
    const toClose = await withBallots(3);
    await closeSession(tdb.db, township(toClose), toClose.sessionId);
    expect(await ballotState(tdb.db, toClose.sessionId)).toMatchObject({ ballots: 3, receipts: 3, used: 3 });
    expect((await resultOf(toClose.sessionId)).result).toMatchObject({ version: 2, ballots: 3 });
  });
});

describe('the audit log', () => {
  it('refuses UPDATE, DELETE and TRUNCATE', async () => {
    const count = async () =>
      Number(
        (
          await tdb.db
            .selectFrom('audit_event')
            .select((eb) => eb.fn.countAll<string>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const before = await count();
    expect(before).toBeGreaterThan(0);
    await expect(sql`update audit_event set action = 'x'`.execute(tdb.db)).rejects.toMatchObject(
      refused('audit_event is append-only'),
    );
    await expect(sql`delete from audit_event`.execute(tdb.db)).rejects.toMatchObject(
      refused('audit_event is append-only'),
    );
    await expect(sql`truncate audit_event`.execute(tdb.db)).rejects.toMatchObject(
      refused('audit_event is append-only'),
    );
    expect(await count()).toBe(before);
  });
});
