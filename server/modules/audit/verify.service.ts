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
//      against the result, reconciliation, and one receipt per ballot. Read set-based, a page of
//      50 sessions in one statement, each ballot read once and counted and digested in Node (see
//      docs/BENCHMARKS.md; the first way, seven statements a session, stays as `perSession` for
//      the benchmark).
// Reads only; memory bounded by one page of audit entries, two pages of sessions with their ballots,
// and the deleted sessions.
import type { Db } from '../../db/database.ts';
import { sha256 } from '../../lib/crypto.ts';
import {
  countBallots,
  countsFrom,
  crossTabPair,
  digestBallots,
  turnout,
  type BallotCounts,
} from '../ballots/ballots.service.ts';
import { ballotDigest, buildResult, identityQuestionOf, reconciled } from '../tallies/results.rules.ts';
import { canonicalJson, GENESIS_HASH } from './audit.rules.ts';
import { tallyAnswers, type AnswerTally } from './recount.rules.ts';
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
  /** recount each session with its own statements (the first way, kept for scripts/bench-verify.ts) */
  perSession?: boolean;
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

/** What a session's result is checked against, read from its raw rows. */
interface Recount {
  counts: BallotCounts;
  turnout: { used: number; online: number; paper: number };
  digest: string;
}

function checkSession(s: repo.CountedSession, recount: Recount): { problems: Problem[]; ballots: number } {
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
  const storedText = canonicalJson(s.result);
  const contentHash = sha256(storedText).toString('hex');
  if (storedHash !== contentHash) add('result_hash 与结果内容不符', contentHash, storedHash);

  const rebuilt = buildResult({
    sessionId: s.id,
    closedAt: s.closedAt ?? new Date(0),
    residentsPresent: s.residentsPresent,
    issued: s.issued,
    questionnaire: s.questionnaire,
    rules: s.rules,
    turnout: recount.turnout,
    counts: recount.counts,
    ballotDigest: recount.digest,
  });
  for (const d of diffResult(rebuilt as unknown as Record<string, unknown>, s.result, storedText)) {
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

function countOptions(s: repo.CountedSession) {
  const identityQuestionId = identityQuestionOf(s.questionnaire, s.rules);
  return { gateQuestionId: s.rules.gateQuestionId, ...(identityQuestionId ? { identityQuestionId } : {}) };
}

function tally(report: VerifyReport, opts: VerifyOptions, checked: { problems: Problem[]; ballots: number }): void {
  report.problems.push(...checked.problems);
  report.ballots += checked.ballots;
  report.sessions += 1;
  if (report.sessions % 100 === 0) opts.onProgress?.(`已核验测评场次 ${report.sessions} 个`);
}

/** The first way: each session recounted with the close's own functions (seven statements a session). */
async function recountPerSession(db: Db, opts: VerifyOptions, report: VerifyReport): Promise<void> {
  for (const id of await repo.countedSessionIds(db)) {
    const s = await repo.findCountedSession(db, id);
    if (!s) continue; // gone since the list was read
    const recount = {
      counts: await countBallots(db, s.id, countOptions(s)),
      turnout: await turnout(db, s.id),
      digest: await digestBallots(db, s.id),
    };
    tally(report, opts, checkSession(s, recount));
  }
}

const SESSION_PAGE = 50;

/**
 * The rows countAnswerValues and crossTab return for the session, from its parsed ballots, or (for
 * a ballot holding something other than strings, which only a hand edit makes) read with SQL.
 */
async function tallyOf(db: Db, s: repo.CountedSession, ballots: readonly unknown[]): Promise<AnswerTally> {
  const pair = crossTabPair(s.questionnaire.questions, countOptions(s));
  const tallied = tallyAnswers(ballots, pair);
  if (tallied) return tallied;
  const [values, cross] = await Promise.all([
    repo.answerValuesOf(db, [s.id]),
    repo.crossTabsOf(db, pair ? [{ sessionId: s.id, ...pair }] : []),
  ]);
  return { values, cross };
}

/**
 * The same recount, set-based: one statement for each page of 50 sessions, which reads each ballot
 * once; the counts built by the close's own countsFrom and the digest by its ballotDigest. The next
 * page is asked for before this one is counted, so PostgreSQL reads it while Node counts (two
 * cores). Memory holds two pages' ballots.
 */
async function recountByPage(db: Db, opts: VerifyOptions, report: VerifyReport): Promise<void> {
  const read = (afterId: number) => {
    const page = repo.countedSessionPage(db, afterId, SESSION_PAGE);
    page.catch(() => undefined); // an error is thrown where the page is awaited, not left unhandled
    return page;
  };
  let next: Promise<repo.CountedSessionWithBallots[]> | null = read(0);
  while (next) {
    const page: repo.CountedSessionWithBallots[] = await next;
    next = page.length === SESSION_PAGE ? read((page.at(-1) as repo.CountedSessionWithBallots).id) : null;
    await new Promise(setImmediate); // the next page's statement goes out before this one is counted
    for (const s of page) {
      const { values, cross } = await tallyOf(db, s, s.answers);
      const counts = countsFrom(s.questionnaire.questions, s.answers.length, values, cross, countOptions(s));
      const digest = ballotDigest(s.answers);
      tally(report, opts, checkSession(s, { counts, turnout: s.turnout, digest }));
    }
  }
}

export async function verifyDatabase(db: Db, opts: VerifyOptions = {}): Promise<VerifyReport> {
  const report: VerifyReport = { auditEntries: 0, sessions: 0, ballots: 0, head: null, problems: [] };
  await verifyChain(db, opts, report);
  await verifyHistories(db, report);
  if (opts.perSession) await recountPerSession(db, opts, report);
  else await recountByPage(db, opts, report);
  return report;
}
