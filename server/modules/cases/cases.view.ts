// Rows to the HTTP shapes of cases: the summary (list, exports) and the full case page.
import type { Db } from '../../db/database.ts';
import type { CurrentUser } from '../../lib/access.ts';
import { currentGrade } from '../grading/grading.service.ts';
import type { GradeSummary } from '../grading/grading.schemas.ts';
import type { CaseRow } from './cases.repository.ts';
import * as repo from './cases.repository.ts';
import { listProblems, type ProblemRow } from './problems.repository.ts';
import { ACTION_LABEL, availableActions, chinaDay, lightOf, STATE_LABEL, type CaseFacts } from './cases.rules.ts';
import { editRights } from './cases.rights.ts';
import type { CaseSummary, CaseView, Problem } from './cases.schemas.ts';
import * as steps from './transitions.repository.ts';

export function toSummary(row: CaseRow, today: string = chinaDay()): CaseSummary {
  const light = lightOf(
    {
      state: row.state,
      deadline: row.deadline,
      openProblemDeadlines: row.openProblemDeadlines,
      lastTransition: row.lastAction === null ? null : { action: row.lastAction, reason: row.lastReason },
      stateSince: row.stateSince,
      relistedAs: row.relistedAsCaseId,
    },
    today,
  );
  return {
    id: row.id,
    campaignId: row.campaignId,
    campaignTitle: row.campaignTitle,
    campaignYear: row.campaignYear,
    villageId: row.villageId,
    villageName: row.villageName,
    townshipId: row.townshipId,
    townshipName: row.townshipName,
    types: row.types,
    state: row.state,
    stateLabel: STATE_LABEL[row.state],
    deadline: row.deadline,
    fortressGrade: row.fortressGrade,
    light,
    openProblems: row.openProblemDeadlines.length,
    problemCount: row.problemCount,
    previousCaseId: row.previousCaseId,
    relistedAsCaseId: row.relistedAsCaseId,
    updatedAt: row.updatedAt.toISOString(),
  };
}

export function toProblem(p: ProblemRow): Problem {
  return { ...p, doneAt: p.doneAt ? p.doneAt.toISOString() : null };
}

/** The village's 堡垒指数 the gates read: its latest scoring of the newest year from the campaign's on. */
export function fortressOf(db: Db, row: CaseRow): Promise<GradeSummary | null> {
  return currentGrade(db, row.villageId, row.campaignYear);
}

/** The facts the gates read, for this case row. */
export async function factsOf(db: Db, row: CaseRow, fortress?: GradeSummary | null): Promise<CaseFacts> {
  const [stored, grade] = await Promise.all([
    steps.readFacts(db, row.id),
    fortress === undefined ? fortressOf(db, row) : fortress,
  ]);
  return {
    ...stored,
    requireFortressGrade: row.requireFortressGrade,
    fortressGrade: grade?.grade ?? null,
    relistedAs: row.relistedAsCaseId,
  };
}

export async function toView(db: Db, user: CurrentUser, row: CaseRow): Promise<CaseView> {
  const fortress = await fortressOf(db, row);
  const [problems, transitions, sessions, history, facts] = await Promise.all([
    listProblems(db, row.id),
    steps.listTransitions(db, row.id),
    steps.listCaseSessions(db, row.id),
    repo.listVillageHistory(db, row.villageId),
    factsOf(db, row, fortress),
  ]);
  return {
    ...toSummary(row),
    countyName: row.countyName,
    plan: row.plan,
    responsible: row.responsible,
    requireFortressGrade: row.requireFortressGrade,
    fortress,
    problems: problems.map(toProblem),
    transitions: transitions.map((t) => ({ ...t, actionLabel: ACTION_LABEL[t.action], at: t.at.toISOString() })),
    sessions: sessions.map((s) => ({
      id: s.id,
      kind: s.kind,
      title: s.title,
      status: s.status,
      residentsPresent: s.residentsPresent,
      closedAt: s.closedAt ? s.closedAt.toISOString() : null,
      verdict: s.verdict
        ? {
            outcome: s.verdict.outcome,
            satisfied: s.verdict.satisfied,
            denominator: s.verdict.denominator,
            needed: s.verdict.needed,
            rule: s.verdict.rule,
            ballots: s.ballots ?? 0,
          }
        : null,
    })),
    history: history.map((h) => ({
      ...h,
      stateLabel: STATE_LABEL[h.state],
      createdAt: h.createdAt.toISOString(),
    })),
    actions: availableActions(user.role, row.state, facts),
    editable: editRights(user.role, row.state),
    createdAt: row.createdAt.toISOString(),
  };
}
