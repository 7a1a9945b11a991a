// Spreadsheet exports for reports: the case list (the same filtered, scoped list as the console's
// overview, through the cases service) with its problem lists, and the results of every closed or
// certified session in the caller's subtree. Results of a session still open never leave the
// server (DOMAIN.md); a void session has no result to report.
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
  SESSION_COLUMNS,
  sessionRow,
} from './reports.rules.ts';
import type { SessionsExportFilters } from './reports.schemas.ts';
import { workbookBytes } from './reports.workbook.ts';

export interface Download {
  /** the Content-Disposition header */
  disposition: string;
  bytes: Buffer;
}

export async function exportCases(
  db: Db,
  user: CurrentUser,
  filters: CaseListFilters,
  now = new Date(),
): Promise<Download> {
  const cases = await listCases(db, user, filters);
  const byId = new Map(cases.map((c) => [c.id, c]));
  const problems = await repo.listProblems(db, [...byId.keys()]);
  const bytes = await workbookBytes(
    [
      { name: '整顿案件', columns: CASE_COLUMNS, rows: cases.map(caseRow) },
      {
        name: '问题清单',
        columns: PROBLEM_COLUMNS,
        rows: problems.map((p) => problemRow(p, byId.get(p.caseId)!)),
      },
    ],
    now,
  );
  const day = chinaToday(now);
  return { disposition: attachment(`整顿案件清单_${day}.xlsx`, `cases_${day}.xlsx`), bytes };
}

export async function exportSessions(
  db: Db,
  user: CurrentUser,
  filters: SessionsExportFilters,
  now = new Date(),
): Promise<Download> {
  const sessions = await repo.listClosedSessions(db, user.regionId, filters);
  const bytes = await workbookBytes(
    [
      { name: '测评结果', columns: SESSION_COLUMNS, rows: sessions.map(sessionRow) },
      { name: '分题统计', columns: OPTION_COLUMNS, rows: sessions.flatMap(optionRows) },
    ],
    now,
  );
  const day = chinaToday(now);
  return { disposition: attachment(`测评结果汇总_${day}.xlsx`, `sessions_${day}.xlsx`), bytes };
}
