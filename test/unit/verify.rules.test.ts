import { describe, expect, it } from 'vitest';
import { canonicalJson, chainHash, GENESIS_HASH } from '../../server/modules/audit/audit.rules.ts';
import {
  auditContentOf,
  checkHistory,
  checkLink,
  diffJson,
  diffResult,
  formatReport,
  parseHead,
  sameButCommentOrder,
  type AuditEntryRow,
  type HistoryEntry,
  type SessionNow,
} from '../../server/modules/audit/verify.rules.ts';

function entry(id: number, prev: Buffer, over: Partial<AuditEntryRow> = {}): AuditEntryRow {
  const row: AuditEntryRow = {
    id,
    at: new Date('2026-03-01T09:00:00.250Z'),
    actorId: 3,
    actorUsername: 'zhen01',
    actorRole: 'township',
    regionId: 12,
    action: 'session.close',
    objectType: 'evaluation_session',
    objectId: '5',
    detail: { outcome: 'pass', ballots: 9 },
    prevHash: prev,
    hash: Buffer.alloc(32),
    ...over,
  };
  return { ...row, hash: over.hash ?? chainHash(row.prevHash, auditContentOf(row)) };
}

describe('a link of the audit chain', () => {
  const first = entry(1, GENESIS_HASH);

  it('holds when prev_hash is the stored hash before it and hash covers prev_hash and content', () => {
    expect(auditContentOf(first)).toEqual({
      at: '2026-03-01T09:00:00.250Z',
      actorId: 3,
      actorUsername: 'zhen01',
      actorRole: 'township',
      regionId: 12,
      action: 'session.close',
      objectType: 'evaluation_session',
      objectId: '5',
      detail: { outcome: 'pass', ballots: 9 },
    });
    expect(checkLink(GENESIS_HASH, first)).toEqual([]);
    expect(checkLink(first.hash, entry(2, first.hash))).toEqual([]);
  });

  it('names an entry whose content changed after it was hashed', () => {
    const changed = { ...first, detail: { outcome: 'fail', ballots: 9 } };
    expect(checkLink(GENESIS_HASH, changed)).toEqual([
      {
        kind: 'audit',
        id: 1,
        where: '2026-03-01T09:00:00.250Z session.close',
        what: 'hash 与记录内容不符（记录内容或哈希被改动）',
        expected: chainHash(GENESIS_HASH, auditContentOf(changed)).toString('hex'),
        found: first.hash.toString('hex'),
      },
    ]);
  });

  it('names the entry after a missing one by its prev_hash', () => {
    const second = entry(2, first.hash);
    const third = entry(3, second.hash);
    expect(checkLink(first.hash, third)).toEqual([
      {
        kind: 'audit',
        id: 3,
        where: '2026-03-01T09:00:00.250Z session.close',
        what: 'prev_hash 与前一条记录的哈希不符（前面的记录被删除、插入或改动）',
        expected: first.hash.toString('hex'),
        found: second.hash.toString('hex'),
      },
    ]);
  });
});

describe('comparing a stored result with the recount', () => {
  const rebuilt = {
    version: 2,
    ballots: 3,
    counts: { perQuestion: { q1: { satisfied: 2, basic: 1 } }, comments: ['甲', '乙', '甲'] },
    verdict: { outcome: 'pass' },
    ballotDigest: 'd1',
  };

  it('finds nothing when equal, comments compared as a multiset', () => {
    const stored = { ...rebuilt, counts: { ...rebuilt.counts, comments: ['乙', '甲', '甲'] } };
    expect(diffResult(rebuilt, stored)).toEqual([]);
  });

  it('names every differing leaf with what was expected and what was found', () => {
    const stored = {
      ...rebuilt,
      counts: { perQuestion: { q1: { satisfied: 3, basic: 1 } }, comments: ['甲', '乙'] },
      extra: true,
    };
    expect(diffResult(rebuilt, stored)).toEqual([
      { field: 'counts.comments', expected: '["乙","甲","甲"]', found: '["乙","甲"]' },
      { field: 'counts.perQuestion.q1.satisfied', expected: '2', found: '3' },
      { field: 'extra', expected: '（无）', found: 'true' },
    ]);
  });

  it('checks a version 1 result without the ballot digest it never had', () => {
    const { ballotDigest: _digest, ...v1 } = { ...rebuilt, version: 1 };
    expect(diffResult(rebuilt, v1)).toEqual([]);
    expect(diffResult(rebuilt, { ...v1, ballots: 4 })).toEqual([{ field: 'ballots', expected: '3', found: '4' }]);
  });

  it('finds the same with the stored canonical text as without (the short cut for an unchanged result)', () => {
    const { ballotDigest: _digest, ...v1 } = { ...rebuilt, version: 1 };
    const stored: unknown[] = [
      rebuilt,
      { ...rebuilt, counts: { ...rebuilt.counts, comments: ['乙', '甲', '甲'] } },
      { ...rebuilt, counts: { ...rebuilt.counts, comments: ['乙', '乙', '甲'] } },
      { ...rebuilt, counts: { ...rebuilt.counts, comments: ['甲', '乙'] } },
      { ...rebuilt, counts: { ...rebuilt.counts, comments: ['甲', '乙', null] } },
      { ...rebuilt, counts: { ...rebuilt.counts, comments: null } },
      { ...rebuilt, counts: { perQuestion: { q1: { satisfied: 3, basic: 1 } }, comments: ['甲', '乙', '甲'] } },
      { ...rebuilt, ballotDigest: 'd2' },
      { ...rebuilt, extra: undefined },
      { ...rebuilt, extra: null },
      v1,
      { ...v1, ballots: 4 },
      null,
      [rebuilt],
    ];
    for (const s of stored)
      expect(diffResult(rebuilt, s, canonicalJson(s)), canonicalJson(s)).toEqual(diffResult(rebuilt, s));
    // it does cut short: an unchanged result, its comments in another order
    expect(sameButCommentOrder(rebuilt, stored[1], canonicalJson(stored[1]))).toBe(true);
    expect(sameButCommentOrder(rebuilt, stored[2], canonicalJson(stored[2]))).toBe(false);
    const withNull = { ...rebuilt, counts: { ...rebuilt.counts, comments: ['甲', null] } };
    expect(diffResult(withNull, withNull, canonicalJson(withNull))).toEqual([]);
  });

  it('tells null from missing and compares arrays whole', () => {
    expect(diffJson({ a: null }, {})).toEqual([{ field: 'a', expected: 'null', found: '（无）' }]);
    expect(diffJson([1, 2], [2, 1])).toEqual([{ field: '（整体）', expected: '[1,2]', found: '[2,1]' }]);
  });
});

describe('the report', () => {
  const head = { id: 42, hash: 'ab'.repeat(32) };

  it('says 全部一致 with the counts and the chain head when nothing differs', () => {
    expect(formatReport({ auditEntries: 42, sessions: 3, ballots: 120, head, problems: [] })).toBe(
      [
        '测评数据核验报告',
        '审计记录：42 条；已结束/已确认的测评场次：3 个；重新清点选票：120 张',
        `审计链头：第 42 条 ${'ab'.repeat(32)}`,
        '（请记下或公布链头；以后运行 npm run verify -- --head 编号:哈希 可核对它仍在链中）',
        '',
        '结论：全部一致',
      ].join('\n'),
    );
  });

  it('lists every problem with its place, what was expected and what was found', () => {
    const text = formatReport({
      auditEntries: 0,
      sessions: 1,
      ballots: 0,
      head: null,
      problems: [
        { kind: 'session', id: 5, where: '东村', what: '回执数与选票数不符', expected: '3 个', found: '2 个' },
        { kind: 'audit', id: 9, where: 't x', what: 'hash 不符', expected: 'aa', found: 'bb' },
      ],
    });
    expect(text.split('\n').slice(2)).toEqual([
      '审计链头：（尚无审计记录）',
      '（请记下或公布链头；以后运行 npm run verify -- --head 编号:哈希 可核对它仍在链中）',
      '',
      '结论：发现 2 处不一致',
      '- 测评场次 #5（东村）：回执数与选票数不符',
      '    应为：3 个',
      '    实为：2 个',
      '- 审计记录 第 9 条（t x）：hash 不符',
      '    应为：aa',
      '    实为：bb',
    ]);
  });

  it('reads a head written as id:hash', () => {
    expect(parseHead(` 42:${'AB'.repeat(32)} `)).toEqual(head);
    expect(parseHead('42')).toBeNull();
    expect(parseHead(`x:${'ab'.repeat(32)}`)).toBeNull();
    expect(parseHead(`42:${'ab'.repeat(31)}`)).toBeNull();
  });

  it('reads a head as the result sheet prints its audit anchor: id-hash in groups of four', () => {
    expect(parseHead(`42-${Array(16).fill('abAB').join(' ')}`)).toEqual(head);
    expect(parseHead(`42 - ${'ab'.repeat(32)}`)).toEqual(head);
    expect(parseHead(`42-${Array(16).fill('abab').join(' ')} ab`)).toBeNull();
    expect(parseHead(`42-${Array(16).fill('abag').join(' ')}`)).toBeNull();
  });
});

describe('a session against its history in the audit chain', () => {
  const H = 'ab'.repeat(32);
  const cert = { host: '张主持', scrutineers: ['李监票'], counters: ['王计票'] };
  const create = { auditId: 10, action: 'session.create', detail: { title: '自评' } };
  const open = { auditId: 11, action: 'session.open', detail: { residentsPresent: 9, issued: 9 } };
  const close = { auditId: 12, action: 'session.close', detail: { outcome: 'pass', resultHash: H } };
  const certify = { auditId: 13, action: 'session.certify', detail: cert };
  const voided = (auditId: number, from: string) => ({
    auditId,
    action: 'session.void',
    detail: { reason: '重测', from },
  });
  const row = (status: string, over: Partial<SessionNow> = {}): SessionNow => ({
    status,
    resultHash: status === 'closed' || status === 'certified' ? H : null,
    certification: status === 'certified' ? cert : null,
    voidReason: status === 'void' ? '重测' : null,
    ...over,
  });
  const check = (now: SessionNow | null, entries: HistoryEntry[]) =>
    checkHistory({ id: 5, where: '东村', now, entries });
  const problem = (what: string, expected: string, found: string) => ({
    kind: 'session',
    id: 5,
    where: '东村',
    what,
    expected,
    found,
  });

  it('finds nothing along every path the application takes', () => {
    expect(check(row('draft'), [])).toEqual([]);
    expect(check(row('draft'), [create])).toEqual([]);
    expect(check(row('open'), [create, open])).toEqual([]);
    expect(check(row('closed'), [create, open, close])).toEqual([]);
    expect(check(row('certified'), [create, open, close, certify])).toEqual([]);
    expect(check(row('void'), [create, voided(11, 'draft')])).toEqual([]);
    expect(check(row('void'), [create, open, voided(12, 'open')])).toEqual([]);
    expect(check(row('void', { resultHash: H }), [create, open, close, voided(13, 'closed')])).toEqual([]);
    // written outside the application (fixtures, imports of old data): only the state's own entries
    expect(check(row('open'), [])).toEqual([]);
    expect(check(row('closed'), [close])).toEqual([]);
    expect(check(null, [])).toEqual([]);
  });

  it('names a session that is gone although the chain records it', () => {
    expect(check(null, [create, open, close])).toEqual([
      problem(
        '场次已不存在（被删除），而审计链中有它的记录',
        '已结束（审计记录第 12 条 session.close）',
        '（无此场次）',
      ),
    ]);
    expect(check(null, [create])).toEqual([
      problem(
        '场次已不存在（被删除），而审计链中有它的记录',
        '存在（审计记录第 10 条 session.create）',
        '（无此场次）',
      ),
    ]);
  });

  it('names every status that went backwards', () => {
    const back = (recorded: string, now: string, cite: string) =>
      problem(`状态倒退：审计链记载为${recorded}，场次现为${now}`, `${recorded}或其后的状态（${cite}）`, now);
    expect(check(row('open'), [create, open, close])).toEqual([
      back('已结束', '测评中', '审计记录第 12 条 session.close'),
    ]);
    expect(check(row('draft', { resultHash: H }), [close])).toEqual([
      back('已结束', '草稿', '审计记录第 12 条 session.close'),
    ]);
    expect(check(row('draft'), [create, open])).toEqual([back('测评中', '草稿', '审计记录第 11 条 session.open')]);
    expect(check(row('closed'), [create, open, close, certify])).toEqual([
      back('已确认', '已结束', '审计记录第 13 条 session.certify'),
    ]);
    for (const [status, text] of [
      ['open', '测评中'],
      ['closed', '已结束'],
      ['certified', '已确认'],
    ] as const) {
      expect(check(row(status), [create, open, close, voided(13, 'closed')])).toEqual([
        back('已作废', text, '审计记录第 13 条 session.void'),
      ]);
    }
  });

  it('names a change the rules never allow', () => {
    expect(check(row('void'), [create, open, close, certify])).toEqual([
      problem(
        '状态与审计链不符：审计链记载为已确认，场次现为已作废',
        '已确认或其后的状态（审计记录第 13 条 session.certify）',
        '已作废',
      ),
    ]);
  });

  it('requires exactly one entry for each step a closed, certified or void session took', () => {
    expect(check(row('closed'), [create, open])).toEqual([
      problem('审计链中没有此场次的结束记录（session.close）', '1 条', '0 条'),
    ]);
    expect(check(row('certified'), [create, open, close])).toEqual([
      problem('审计链中没有此场次的确认记录（session.certify）', '1 条', '0 条'),
    ]);
    expect(check(row('certified'), [create, open])).toEqual([
      problem('审计链中没有此场次的结束记录（session.close）', '1 条', '0 条'),
      problem('审计链中没有此场次的确认记录（session.certify）', '1 条', '0 条'),
    ]);
    expect(check(row('void'), [create, open])).toEqual([
      problem('审计链中没有此场次的作废记录（session.void）', '1 条', '0 条'),
    ]);
    expect(check(row('void', { resultHash: H }), [create, open, voided(12, 'closed')])).toEqual([
      problem('审计链中没有此场次的结束记录（session.close）', '1 条', '0 条'),
    ]);
    expect(check(row('closed'), [create, open, close, { ...close, auditId: 20 }])).toEqual([
      problem('审计链中有此场次的 2 条结束记录（session.close），应只有 1 条', '1 条', '2 条（第 12 条、第 20 条）'),
    ]);
  });

  it('compares the result hash, the certification and the void reason with their entries', () => {
    const other = 'cd'.repeat(32);
    expect(check(row('closed', { resultHash: other }), [close])).toEqual([
      problem('result_hash 与审计链中结束记录所载的哈希不符', H, other),
    ]);
    expect(check(row('void', { resultHash: null }), [close, voided(13, 'closed')])).toEqual([
      problem('result_hash 与审计链中结束记录所载的哈希不符', H, '（无）'),
    ]);
    const changed = { ...cert, counters: ['赵计票'] };
    expect(check(row('certified', { certification: changed }), [close, certify])).toEqual([
      problem(
        '确认信息（主持人、监票人、计票人）与审计链中确认记录所载的不符',
        '{"counters":["王计票"],"host":"张主持","scrutineers":["李监票"]}',
        '{"counters":["赵计票"],"host":"张主持","scrutineers":["李监票"]}',
      ),
    ]);
    expect(check(row('void', { voidReason: '别的原因' }), [voided(11, 'draft')])).toEqual([
      problem('作废原因与审计链中作废记录所载的不符', '"重测"', '"别的原因"'),
    ]);
  });
});
