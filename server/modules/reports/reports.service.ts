// Spreadsheet exports for reports: the case list (the same filtered, scoped list as the console's
// overview, through the cases service) with its problem lists, and the results of every closed or
// certified session in the caller's subtree. Results of a session still open never leave the
// server (DOMAIN.md); a void session has no result to report.
import type { Readable } from 'node:stream';
import type { Db } from '../../db/database.ts';
import type { CurrentUser } from '../../lib/access.ts';
import type { CaseListFilters } from '../cases/cases.schemas.ts';
import { listCases } from '../cases/cases.service.ts';
import * as repo from './reports.repository.ts';
import {
  attachment,
  CASE_COLUMNS,
  caseRow,
  chinaToday,
  OPTION_COLUMNS,
  optionRows,
  PROBLEM_COLUMNS,
  problemRow,
  type ProblemRecord,
  SESSION_COLUMNS,
  sessionRow,
} from './reports.rules.ts';
import type { SessionsExportFilters } from './reports.schemas.ts';
import { streamWorkbook } from './reports.workbook.ts';

export interface Download {
  /** the Content-Disposition header */
  disposition: string;
  /** the workbook, written while it is read (reports.workbook streamWorkbook) */
  stream: Readable;
}

const BATCH = 500;
/** a closed session's result is kilobytes of JSON: parsed 50 at a time */
const SESSION_BATCH = 50;

async function* chunks<T>(items: readonly T[], size = BATCH): AsyncGenerator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

/** The case list is the console's (scoped, filtered, ordered by light): its rows are held, their problems streamed. */
export async function exportCases(
  db: Db,
  user: CurrentUser,
  filters: CaseListFilters,
  now = new Date(),
): Promise<Download> {
  const cases = await listCases(db, user, filters);
  const byId = new Map(cases.map((c) => [c.id, c]));
  // problems in case-id order, as one query over all the cases gave them
  const caseIds = [...byId.keys()].sort((a, b) => a - b);
  async function* problems(): AsyncGenerator<ProblemRecord[]> {
    for await (const ids of chunks(caseIds)) yield repo.listProblems(db, ids);
  }
  const stream = streamWorkbook(now, async (book) => {
    await book.sheet({ name: '整顿案件', columns: CASE_COLUMNS }, chunks(cases), (c) => [caseRow(c)]);
    await book.sheet({ name: '问题清单', columns: PROBLEM_COLUMNS }, problems(), (p) => [
      problemRow(p, byId.get(p.caseId)!),
    ]);
  });
  const day = chinaToday(now);
  return { disposition: attachment(`整顿案件清单_${day}.xlsx`, `cases_${day}.xlsx`), stream };
}

/** Both sheets read the sessions in batches from one snapshot (a read-only repeatable-read transaction). */
export async function exportSessions(
  db: Db,
  user: CurrentUser,
  filters: SessionsExportFilters,
  now = new Date(),
): Promise<Download> {
  const stream = streamWorkbook(now, (book) =>
    db
      .transaction()
      .setIsolationLevel('repeatable read')
      .setAccessMode('read only')
      .execute(async (trx) => {
        const batches = () => repo.closedSessionBatches(trx, user.regionId, filters, SESSION_BATCH);
        await book.sheet({ name: '测评结果', columns: SESSION_COLUMNS }, batches(), (s) => [sessionRow(s)]);
        await book.sheet({ name: '分题统计', columns: OPTION_COLUMNS }, batches(), optionRows);
      }),
  );
  const day = chinaToday(now);
  return { disposition: attachment(`测评结果汇总_${day}.xlsx`, `sessions_${day}.xlsx`), stream };
}
