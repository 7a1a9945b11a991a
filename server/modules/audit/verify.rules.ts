// The pure parts of npm run verify: the audit entry's hashed content rebuilt from its row, the
// field-by-field comparison of a stored result with the one rebuilt from the raw ballots, and the
// Chinese report.
import { canonicalJson, chainHash, type AuditContent } from './audit.rules.ts';

export interface Problem {
  kind: 'audit' | 'session';
  /** the audit entry's id or the session's id */
  id: number;
  /** audit: the entry's time and action; session: the village */
  where: string;
  what: string;
  expected: string;
  found: string;
}

export interface VerifyReport {
  auditEntries: number;
  sessions: number;
  ballots: number;
  /** the last audit entry: write it down or publish it, a later run can check it is still there */
  head: { id: number; hash: string } | null;
  problems: Problem[];
}

export interface AuditEntryRow {
  id: number;
  at: Date;
  actorId: number | null;
  actorUsername: string;
  actorRole: string;
  regionId: number | null;
  action: string;
  objectType: string;
  objectId: string | null;
  detail: unknown;
  prevHash: Buffer;
  hash: Buffer;
}

/** Exactly what audit.service recordAudit hashed when it appended the entry. */
export function auditContentOf(row: AuditEntryRow): AuditContent {
  return {
    at: row.at.toISOString(),
    actorId: row.actorId,
    actorUsername: row.actorUsername,
    actorRole: row.actorRole,
    regionId: row.regionId,
    action: row.action,
    objectType: row.objectType,
    objectId: row.objectId,
    detail: row.detail,
  };
}

const hex = (b: Buffer): string => b.toString('hex');

/**
 * One link of the chain, judged on its own stored values: its prev_hash must be the stored hash of
 * the entry before it, and its hash must be H(its prev_hash ‖ its content). A changed entry is
 * reported itself; a deleted one by the entry after it.
 */
export function checkLink(prevStoredHash: Buffer, row: AuditEntryRow): Problem[] {
  const where = `${row.at.toISOString()} ${row.action}`;
  const problems: Problem[] = [];
  if (!row.prevHash.equals(prevStoredHash)) {
    problems.push({
      kind: 'audit',
      id: row.id,
      where,
      what: 'prev_hash 与前一条记录的哈希不符（前面的记录被删除、插入或改动）',
      expected: hex(prevStoredHash),
      found: hex(row.prevHash),
    });
  }
  const computed = chainHash(row.prevHash, auditContentOf(row));
  if (!row.hash.equals(computed)) {
    problems.push({
      kind: 'audit',
      id: row.id,
      where,
      what: 'hash 与记录内容不符（记录内容或哈希被改动）',
      expected: hex(computed),
      found: hex(row.hash),
    });
  }
  return problems;
}

export interface FieldDiff {
  field: string;
  expected: string;
  found: string;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

const MAX_TEXT = 300;
const shortJson = (v: unknown): string => {
  const s = v === undefined ? '（无）' : canonicalJson(v);
  return s.length > MAX_TEXT ? `${s.slice(0, MAX_TEXT)}…` : s;
};

/** Differences between two JSON values, down to the objects' leaves (arrays compare whole). */
export function diffJson(expected: unknown, found: unknown, path = ''): FieldDiff[] {
  if (isPlainObject(expected) && isPlainObject(found)) {
    const keys = [...new Set([...Object.keys(expected), ...Object.keys(found)])].sort();
    return keys.flatMap((k) => diffJson(expected[k], found[k], path ? `${path}.${k}` : k));
  }
  const text = (v: unknown) => (v === undefined ? undefined : canonicalJson(v));
  if (text(expected) === text(found)) return [];
  return [{ field: path || '（整体）', expected: shortJson(expected), found: shortJson(found) }];
}

/** Comments are stored shuffled: compare them as a multiset. */
function withSortedComments(result: unknown): unknown {
  if (!isPlainObject(result) || !isPlainObject(result.counts) || !Array.isArray(result.counts.comments)) return result;
  const comments = [...(result.counts.comments as unknown[])].sort((a, b) => {
    const [x, y] = [canonicalJson(a), canonicalJson(b)];
    return x < y ? -1 : x > y ? 1 : 0;
  });
  return { ...result, counts: { ...result.counts, comments } };
}

/**
 * The stored result against the one rebuilt from the raw rows. A version 1 result (closed before
 * the ballot digest existed) is compared without the digest.
 */
export function diffResult(rebuilt: Record<string, unknown>, stored: unknown): FieldDiff[] {
  let expected: Record<string, unknown> = rebuilt;
  if (isPlainObject(stored) && stored.version === 1) {
    const { ballotDigest: _omit, ...rest } = rebuilt;
    expected = { ...rest, version: 1 };
  }
  return diffJson(withSortedComments(expected), withSortedComments(stored));
}

export function formatReport(r: VerifyReport): string {
  const lines = [
    '测评数据核验报告',
    `审计记录：${r.auditEntries} 条；已结束/已确认的测评场次：${r.sessions} 个；重新清点选票：${r.ballots} 张`,
    r.head ? `审计链头：第 ${r.head.id} 条 ${r.head.hash}` : '审计链头：（尚无审计记录）',
    '（请记下或公布链头；以后运行 npm run verify -- --head 编号:哈希 可核对它仍在链中）',
    '',
  ];
  if (r.problems.length === 0) {
    lines.push('结论：全部一致');
    return lines.join('\n');
  }
  lines.push(`结论：发现 ${r.problems.length} 处不一致`);
  for (const p of r.problems) {
    const place = p.kind === 'audit' ? `审计记录 第 ${p.id} 条（${p.where}）` : `测评场次 #${p.id}（${p.where}）`;
    lines.push(`- ${place}：${p.what}`, `    应为：${p.expected}`, `    实为：${p.found}`);
  }
  return lines.join('\n');
}

/** "1234:abcd…" (as the report prints the head) → { id, hash }; null when malformed. */
export function parseHead(text: string): { id: number; hash: string } | null {
  const m = /^(\d+):([0-9a-f]{64})$/i.exec(text.trim());
  return m ? { id: Number(m[1]), hash: (m[2] as string).toLowerCase() } : null;
}
