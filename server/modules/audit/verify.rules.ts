// The pure parts of npm run verify: the audit entry's hashed content rebuilt from its row, the
// field-by-field comparison of a stored result with the one rebuilt from the raw ballots, each
// session's state against its history in the audit chain, and the Chinese report.
import { STATUS_LABEL, type SessionStatus } from '../sessions/sessions.rules.ts';
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
  const comments = [...(result.counts.comments as unknown[])]
    .map((c) => ({ c, text: canonicalJson(c) }))
    .sort(({ text: x }, { text: y }) => (x < y ? -1 : x > y ? 1 : 0))
    .map(({ c }) => c);
  return { ...result, counts: { ...result.counts, comments } };
}

/**
 * True when the stored result is the rebuilt one but for the order of its comments (strings): its
 * canonical text, already written for its hash, equals the rebuilt one's with the stored comments.
 * Then diffResult finds nothing, so the verifier can skip walking both field by field.
 */
export function sameButCommentOrder(rebuilt: Record<string, unknown>, stored: unknown, storedText: string): boolean {
  if (!isPlainObject(stored) || !isPlainObject(stored.counts) || !isPlainObject(rebuilt.counts)) return false;
  const [mine, theirs] = [rebuilt.counts.comments, stored.counts.comments];
  const strings = (xs: unknown): xs is string[] => Array.isArray(xs) && xs.every((x) => typeof x === 'string');
  if (!strings(mine) || !strings(theirs) || mine.length !== theirs.length) return false;
  const [a, b] = [[...mine].sort(), [...theirs].sort()];
  if (a.some((x, i) => x !== b[i])) return false;
  return canonicalJson({ ...rebuilt, counts: { ...rebuilt.counts, comments: theirs } }) === storedText;
}

/**
 * The stored result against the one rebuilt from the raw rows. A version 1 result (closed before
 * the ballot digest existed) is compared without the digest. `storedText`, canonicalJson(stored)
 * when the caller has it, lets an unchanged result through without the field-by-field walk.
 */
export function diffResult(rebuilt: Record<string, unknown>, stored: unknown, storedText?: string): FieldDiff[] {
  if (storedText !== undefined && sameButCommentOrder(rebuilt, stored, storedText)) return [];
  let expected: Record<string, unknown> = rebuilt;
  if (isPlainObject(stored) && stored.version === 1) {
    const { ballotDigest: _omit, ...rest } = rebuilt;
    expected = { ...rest, version: 1 };
  }
  return diffJson(withSortedComments(expected), withSortedComments(stored));
}

/** One 'session.*' audit entry of a session (create, update, open, close, certify, void, ...). */
export interface HistoryEntry {
  auditId: number;
  action: string;
  detail: unknown;
}

/** What the session row holds now; null when the row is gone. */
export interface SessionNow {
  status: string;
  resultHash: string | null;
  certification: unknown;
  voidReason: string | null;
}

export interface SessionHistory {
  id: number;
  /** the village */
  where: string;
  now: SessionNow | null;
  /** in audit id order */
  entries: HistoryEntry[];
}

/** The audit actions that change a session's state, and the state each leads to. */
const STATE_OF: Record<string, SessionStatus> = {
  'session.open': 'open',
  'session.close': 'closed',
  'session.certify': 'certified',
  'session.void': 'void',
};
const ENTRY_NAME: Record<string, string> = {
  'session.close': '结束',
  'session.certify': '确认',
  'session.void': '作废',
};

/** The states a session in `from` may later be in (sessions.rules ACTION_STATES, closed under steps). */
const LATER: Record<SessionStatus, readonly SessionStatus[]> = {
  draft: ['draft', 'open', 'closed', 'certified', 'void'],
  open: ['open', 'closed', 'certified', 'void'],
  closed: ['closed', 'certified', 'void'],
  certified: ['certified'],
  void: ['void'],
};
const RANK: Record<SessionStatus, number> = { draft: 0, open: 1, closed: 2, certified: 3, void: 4 };

const label = (status: string): string => STATUS_LABEL[status as SessionStatus] ?? status;
const cite = (e: HistoryEntry): string => `审计记录第 ${e.auditId} 条 ${e.action}`;
const isStatus = (s: string): s is SessionStatus => s in LATER;
const detailOf = (e: HistoryEntry): Record<string, unknown> =>
  isPlainObject(e.detail) ? e.detail : ({} as Record<string, unknown>);

/** The furthest state the audit chain records for the session, with the entry that records it. */
export function recordedState(entries: HistoryEntry[]): { status: SessionStatus; entry: HistoryEntry } | null {
  let best: { status: SessionStatus; entry: HistoryEntry } | null = null;
  for (const entry of entries) {
    const status = STATE_OF[entry.action];
    if (status && (!best || RANK[status] >= RANK[best.status])) best = { status, entry };
  }
  return best;
}

/**
 * A session against its history in the audit chain. The chain is the record: a row that is gone,
 * a state earlier than (or unreachable from) the one recorded, a closed, certified or void row
 * without exactly one entry of that step, and a result hash, certification or void reason other
 * than the entry's are each a problem. Sessions created outside the application (no entries) are
 * held only to what their state requires.
 */
export function checkHistory(h: SessionHistory): Problem[] {
  const problems: Problem[] = [];
  const add = (what: string, expected: string, found: string) =>
    problems.push({ kind: 'session', id: h.id, where: h.where, what, expected, found });
  const recorded = recordedState(h.entries);
  const now = h.now;
  if (!now) {
    if (h.entries.length === 0) return problems;
    const last = h.entries.at(-1) as HistoryEntry;
    add(
      '场次已不存在（被删除），而审计链中有它的记录',
      recorded ? `${label(recorded.status)}（${cite(recorded.entry)}）` : `存在（${cite(last)}）`,
      '（无此场次）',
    );
    return problems;
  }

  if (recorded && isStatus(now.status) && !LATER[recorded.status].includes(now.status)) {
    const backwards = recorded.status === 'void' || RANK[now.status] < RANK[recorded.status];
    add(
      `${backwards ? '状态倒退' : '状态与审计链不符'}：审计链记载为${label(recorded.status)}，场次现为${label(now.status)}`,
      `${label(recorded.status)}或其后的状态（${cite(recorded.entry)}）`,
      label(now.status),
    );
    return problems;
  }

  const of = (action: string) => h.entries.filter((e) => e.action === action);
  const [closes, certifies, voids] = [of('session.close'), of('session.certify'), of('session.void')];
  const needs: [string, HistoryEntry[], boolean][] = [
    ['session.close', closes, now.status === 'closed' || now.status === 'certified' || now.resultHash !== null],
    ['session.certify', certifies, now.status === 'certified'],
    ['session.void', voids, now.status === 'void'],
  ];
  for (const [action, found, needed] of needs) {
    const name = ENTRY_NAME[action] as string;
    if (needed && found.length === 0) add(`审计链中没有此场次的${name}记录（${action}）`, '1 条', '0 条');
    if (found.length > 1) {
      add(
        `审计链中有此场次的 ${found.length} 条${name}记录（${action}），应只有 1 条`,
        '1 条',
        `${found.length} 条（${found.map((e) => `第 ${e.auditId} 条`).join('、')}）`,
      );
    }
  }

  const stored = now.resultHash ?? '（无）';
  if (now.status !== 'draft' && now.status !== 'open') {
    for (const e of closes) {
      const h = detailOf(e).resultHash;
      if (h !== now.resultHash) add('result_hash 与审计链中结束记录所载的哈希不符', String(h ?? '（无）'), stored);
    }
  }
  if (now.status === 'certified') {
    for (const e of certifies) {
      if (canonicalJson(e.detail) !== canonicalJson(now.certification)) {
        add(
          '确认信息（主持人、监票人、计票人）与审计链中确认记录所载的不符',
          shortJson(e.detail),
          shortJson(now.certification),
        );
      }
    }
  }
  if (now.status === 'void') {
    for (const e of voids) {
      const reason = detailOf(e).reason;
      if (reason !== now.voidReason)
        add('作废原因与审计链中作废记录所载的不符', shortJson(reason), shortJson(now.voidReason));
    }
  }
  return problems;
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

/** "1234:abcd…" (as the report prints the head) or "1234-abcd ef01 …" (as the result sheet prints
 * its audit anchor) → { id, hash }; null when malformed. */
export function parseHead(text: string): { id: number; hash: string } | null {
  const m = /^(\d+)\s*[:：-]\s*([0-9a-f\s]+)$/i.exec(text.trim());
  const hash = m ? (m[2] as string).replace(/\s+/g, '').toLowerCase() : '';
  return m && /^[0-9a-f]{64}$/.test(hash) ? { id: Number(m[1]), hash } : null;
}
