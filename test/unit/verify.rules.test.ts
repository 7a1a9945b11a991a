import { describe, expect, it } from 'vitest';
import { chainHash, GENESIS_HASH } from '../../server/modules/audit/audit.rules.ts';
import {
  auditContentOf,
  checkLink,
  diffJson,
  diffResult,
  formatReport,
  parseHead,
  type AuditEntryRow,
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
});
