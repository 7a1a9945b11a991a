// npm run verify: is what the database holds what was recorded? Three checks.
//   1. The audit chain, recomputed from GENESIS_HASH in id order: every entry whose prev_hash is
//      not the stored hash of the entry before it, or whose hash is not H(prev_hash ‖ content).
//      Deleting the last entries leaves a shorter valid chain: only a head written down or
//      published earlier (knownHead) catches that.
//   2. Every session against its history in the chain (verify.rules checkHistory): a session the
//      chain records but whose row is gone, a status that went backwards (reopened, certified set
//      back to closed, void undone), a closed, certified or void session without exactly one entry
//      of that step, and result_hash against the 'session.close' entry (so rewriting result and
//      result_hash together is still caught).
//   3. Every closed or certified session, recounted from its raw ballots with the close's own
//      functions: the result rebuilt field by field, its ballot digest (version 2), result_hash
//      against the result, reconciliation, and one receipt per ballot.
// Reads only; memory bounded by one page of audit entries or sessions, and the deleted sessions.
import type { Db } from '../../db/database.ts';
import { sha256 } from '../../lib/crypto.ts';
import { countBallots, digestBallots, turnout } from '../ballots/ballots.service.ts';
import { buildResult, identityQuestionOf, reconciled } from '../tallies/results.rules.ts';
import { canonicalJson, GENESIS_HASH } from './audit.rules.ts';
import * as repo from './verify.repository.ts';
import {
  checkHistory,
  checkLink,
  diffResult,
  type AuditEntryRow,
  type Problem,
  type SessionHistory,
  type VerifyReport,
} from './verify.rules.ts';

export type { Problem, VerifyReport } from './verify.rules.ts';

export interface VerifyOptions {
  /** a head printed by an earlier run: it must still be in the chain, unchanged */
  knownHead?: { id: number; hash: string } | undefined;
  /** a progress line now and then (every 1,000 audit entries, every 100 sessions) */
  onProgress?: (line: string) => void;
}

const PAGE = 1000;

async function verifyChain(db: Db, opts: VerifyOptions, report: VerifyReport): Promise<void> {
  let prev: Buffer = GENESIS_HASH;
  let afterId = 0;
  for (;;) {
    const page = await repo.auditPage(db, afterId, PAGE);
    for (const row of page) {
      report.problems.push(...checkLink(prev, row));
      prev = row.hash;
      report.head = { id: row.id, hash: row.hash.toString('hex') };
    }
    report.auditEntries += page.length;
    if (page.length < PAGE) break;
    afterId = (page.at(-1) as AuditEntryRow).id;
    opts.onProgress?.(`已核验审计记录 ${report.auditEntries} 条`);
  }
  const known = opts.knownHead;
  if (known) {
    const stored = await repo.auditHashAt(db, known.id);
    if (!stored || stored.toString('hex') !== known.hash) {
      report.problems.push({
        kind: 'audit',
        id: known.id,
        where: '此前记下的链头',
        what: '此前记下的链头已不在审计链中（该记录或其后的记录被删除或改动）',
        expected: known.hash,
        found: stored ? stored.toString('hex') : '（无此记录）',
      });
    }
  }
}

async function verifyHistories(db: Db, report: VerifyReport): Promise<void> {
  let afterId = 0;
  for (;;) {
    const page = await repo.sessionHistoryPage(db, afterId, PAGE);
    for (const h of page) report.problems.push(...checkHistory(h));
    if (page.length < PAGE) break;
    afterId = (page.at(-1) as SessionHistory).id;
  }
  for (const h of await repo.vanishedSessions(db)) report.problems.push(...checkHistory(h));
}

async function verifySession(db: Db, s: repo.CountedSession): Promise<{ problems: Problem[]; ballots: number }> {
  const problems: Problem[] = [];
  const add = (what: string, expected: unknown, found: unknown) =>
    problems.push({
      kind: 'session',
      id: s.id,
      where: s.villageName,
      what,
      expected: String(expected),
      found: String(found),
    });

  const storedHash = s.resultHash?.toString('hex') ?? '（无）';
  const contentHash = sha256(canonicalJson(s.result)).toString('hex');
  if (storedHash !== contentHash) add('result_hash 与结果内容不符', contentHash, storedHash);

  const identityQuestionId = identityQuestionOf(s.questionnaire, s.rules);
  const counts = await countBallots(db, s.id, {
    gateQuestionId: s.rules.gateQuestionId,
    ...(identityQuestionId ? { identityQuestionId } : {}),
  });
  const rebuilt = buildResult({
    sessionId: s.id,
    closedAt: s.closedAt ?? new Date(0),
    residentsPresent: s.residentsPresent,
    issued: s.issued,
    questionnaire: s.questionnaire,
    rules: s.rules,
    turnout: await turnout(db, s.id),
    counts,
    ballotDigest: await digestBallots(db, s.id),
  });
  for (const d of diffResult(rebuilt as unknown as Record<string, unknown>, s.result)) {
    add(`结果字段 ${d.field} 与按原始选票重新清点的不符`, d.expected, d.found);
  }
  if (!reconciled(rebuilt)) {
    add(
      '对账不符（应为 选票数 = 已用票数 ≤ 发出票数 ≤ 在村人数）',
      '选票数 = 已用票数 ≤ 发出票数 ≤ 在村人数',
      `选票 ${rebuilt.ballots}，已用票 ${rebuilt.used}，发出 ${rebuilt.issued}，在村 ${rebuilt.residentsPresent}`,
    );
  }
  if (s.receipts !== rebuilt.ballots) add('回执数与选票数不符', `${rebuilt.ballots} 个`, `${s.receipts} 个`);
  return { problems, ballots: rebuilt.ballots };
}

export async function verifyDatabase(db: Db, opts: VerifyOptions = {}): Promise<VerifyReport> {
  const report: VerifyReport = { auditEntries: 0, sessions: 0, ballots: 0, head: null, problems: [] };
  await verifyChain(db, opts, report);
  await verifyHistories(db, report);
  for (const id of await repo.countedSessionIds(db)) {
    const session = await repo.findCountedSession(db, id);
    if (!session) continue; // gone since the list was read
    const { problems, ballots } = await verifySession(db, session);
    report.problems.push(...problems);
    report.ballots += ballots;
    report.sessions += 1;
    if (report.sessions % 100 === 0) opts.onProgress?.(`已核验测评场次 ${report.sessions} 个`);
  }
  return report;
}
