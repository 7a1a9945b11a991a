// Rectification cases: one open case per listed village, with its types, plan (一村一策), the four
// responsible parties (四个一), deadline and problem list. Visible to officials whose subtree holds
// the village; fields are edited by role (cases.rules editRights) and frozen once the case is
// closed. Steps of the acceptance workflow are in transitions.service.ts.
import type { Transaction } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { DB } from '../../db/schema.ts';
import { AppError, forbidden, notFound } from '../../errors.ts';
import { assertInScope, assertRole, type CurrentUser } from '../../lib/access.ts';
import { actorOf, recordAudit } from '../audit/audit.service.ts';
import { getRegionInScope } from '../regions/regions.service.ts';
import { isUniqueViolation } from './campaigns.repository.ts';
import { campaignFor } from './campaigns.service.ts';
import * as repo from './cases.repository.ts';
import * as problems from './problems.repository.ts';
import { editRights, INBOX_STATES, type EditRights } from './cases.rights.ts';
import { CLOSED_STATES, LEADER_ROLES, STATE_LABEL } from './cases.rules.ts';
import type {
  CaseListFilters,
  CaseSummary,
  CaseView,
  CreateCaseInput,
  NewProblemInput,
  PatchCaseInput,
  PatchProblemInput,
  Problem,
} from './cases.schemas.ts';
import { toProblem, toSummary, toView } from './cases.view.ts';

export type { CaseRow } from './cases.repository.ts';
const ACTIVE_INDEX = 'rectification_case_active_village_key';
const NO_ONE = { countyLeader: '', townshipLeader: '', firstSecretary: '', pairedUnit: '' };
const LIGHT_ORDER = { red: 0, yellow: 1, green: 2 } as const;

export const caseExists = (id: number | undefined): AppError =>
  new AppError('CASE_EXISTS', `该村已有未结案的整顿案件（编号 ${id ?? '未知'}）`, { caseId: id ?? null });

/** The case if its village lies in the user's subtree; otherwise the one 404. */
export async function caseFor(db: Db, user: CurrentUser, id: number): Promise<repo.CaseRow> {
  const row = await repo.findCase(db, id);
  assertInScope(user, row?.villagePath);
  return row as repo.CaseRow;
}

/** The case locked FOR UPDATE, scope checked first without the lock. */
export async function lockCaseFor(trx: Transaction<DB>, user: CurrentUser, id: number): Promise<repo.CaseRow> {
  await caseFor(trx, user, id);
  const row = await repo.lockCase(trx, id);
  if (!row) throw notFound();
  return row;
}

function assertTypes(types: string[], allowed: string[], title: string): void {
  const bad = types.findIndex((t, i) => !allowed.includes(t) || types.indexOf(t) !== i);
  if (bad >= 0) {
    const message = allowed.includes(types[bad] ?? '')
      ? `整顿类型“${types[bad]}”重复`
      : `整顿类型“${types[bad]}”不在整顿工作“${title}”的类型中`;
    throw new AppError('VALIDATION_FAILED', message, [{ field: `types.${bad}`, message }]);
  }
}

export async function createCase(db: Db, user: CurrentUser, input: CreateCaseInput): Promise<CaseView> {
  assertRole(user, LEADER_ROLES);
  const campaign = await campaignFor(db, user, input.campaignId);
  const village = await getRegionInScope(db, user, input.villageId);
  if (village.level !== 'village' || !village.path.includes(campaign.regionId)) {
    const message =
      village.level !== 'village' ? '只能把村列为整顿对象' : `该村不在整顿工作“${campaign.title}”的范围内`;
    throw new AppError('VALIDATION_FAILED', message, [{ field: 'villageId', message }]);
  }
  assertTypes(input.types, campaign.caseTypes, campaign.title);
  const active = await repo.activeCaseOf(db, village.id);
  if (active !== undefined) throw caseExists(active);
  try {
    const id = await db
      .transaction()
      .execute((trx) => createCaseIn(trx, user, { ...input, campaignId: campaign.id, villageId: village.id }));
    return getCase(db, user, id);
  } catch (err) {
    if (isUniqueViolation(err, ACTIVE_INDEX)) throw caseExists(await repo.activeCaseOf(db, village.id));
    throw err;
  }
}

/**
 * Inserts a case, its problems and its audit event in the caller's transaction (the three-level
 * decision lists its approved villages this way). The caller checked the campaign, the village and
 * the types; an open case of the village fails on the unique index (see isOpenCaseConflict).
 */
export async function createCaseIn(trx: Transaction<DB>, user: CurrentUser, input: CreateCaseInput): Promise<number> {
  const caseId = await repo.insertCase(trx, {
    campaignId: input.campaignId,
    villageId: input.villageId,
    types: input.types,
    plan: input.plan ?? '',
    responsible: input.responsible ?? NO_ONE,
    deadline: input.deadline,
    previousCaseId: null,
    createdBy: user.id,
  });
  for (const p of input.problems ?? []) await problems.insertProblem(trx, caseId, p);
  await recordAudit(
    trx,
    actorOf(user),
    'case.create',
    { type: 'rectification_case', id: caseId, regionId: input.villageId },
    {
      campaignId: input.campaignId,
      types: input.types,
      deadline: input.deadline,
      problems: input.problems?.length ?? 0,
    },
  );
  return caseId;
}

/** Did this error come from a second open case of one village? */
export const isOpenCaseConflict = (err: unknown): boolean => isUniqueViolation(err, ACTIVE_INDEX);

/** The open case of the village (not exited nor under look-back), if any. */
export const openCaseOf = (db: Db, villageId: number): Promise<number | undefined> => repo.activeCaseOf(db, villageId);

/** Cases in the user's subtree, filtered, ordered by light (red first), then township and village. */
export async function listCases(db: Db, user: CurrentUser, filters: CaseListFilters): Promise<CaseSummary[]> {
  const { state, light, ...rest } = filters;
  const rows = await repo.listInSubtree(db, user.regionId, { ...rest, states: state ? [state] : undefined });
  const out = rows.map((r) => toSummary(r)).filter((c) => light === undefined || c.light.color === light);
  // a stable sort keeps the repository's township, village order within a color
  return out.sort((a, b) => LIGHT_ORDER[a.light.color] - LIGHT_ORDER[b.light.color]);
}

/** The cases waiting for the user's role (cases.rules INBOX_STATES). */
export async function listInbox(db: Db, user: CurrentUser): Promise<CaseSummary[]> {
  const rows = await repo.listInSubtree(db, user.regionId, { states: INBOX_STATES[user.role] });
  return rows.map((r) => toSummary(r)).sort((a, b) => LIGHT_ORDER[a.light.color] - LIGHT_ORDER[b.light.color]);
}

export async function getCase(db: Db, user: CurrentUser, id: number): Promise<CaseView> {
  return toView(db, user, await caseFor(db, user, id));
}

/** Role first (403: never this field), then state (409: frozen once closed). */
function assertMayEdit(user: CurrentUser, row: repo.CaseRow, fields: (keyof EditRights)[]): void {
  const byRole = editRights(user.role, 'listed');
  if (fields.some((f) => !byRole[f])) throw forbidden();
  if (CLOSED_STATES.includes(row.state)) {
    throw new AppError('INVALID_STATE', `案件当前为“${STATE_LABEL[row.state]}”，不能再修改`);
  }
}

export async function updateCase(db: Db, user: CurrentUser, id: number, patch: PatchCaseInput): Promise<CaseView> {
  await db.transaction().execute(async (trx) => {
    const row = await lockCaseFor(trx, user, id);
    const fields = Object.keys(patch).sort() as (keyof PatchCaseInput)[];
    assertMayEdit(user, row, fields);
    if (patch.types) assertTypes(patch.types, row.campaignTypes, row.campaignTitle);
    await repo.updateCase(trx, id, patch);
    await recordAudit(
      trx,
      actorOf(user),
      'case.update',
      { type: 'rectification_case', id, regionId: row.villageId },
      {
        fields,
        ...(patch.deadline !== undefined ? { deadline: { from: row.deadline, to: patch.deadline } } : {}),
      },
    );
  });
  return getCase(db, user, id);
}

export async function addProblem(db: Db, user: CurrentUser, caseId: number, input: NewProblemInput): Promise<Problem> {
  const problemId = await db.transaction().execute(async (trx) => {
    const row = await lockCaseFor(trx, user, caseId);
    assertMayEdit(user, row, ['problems']);
    const newId = await problems.insertProblem(trx, caseId, input);
    await recordAudit(trx, actorOf(user), 'case.problem_add', objectOf(row), { problemId: newId, ...input });
    return newId;
  });
  return toProblem((await problems.findProblem(db, caseId, problemId)) as problems.ProblemRow);
}

export async function updateProblem(
  db: Db,
  user: CurrentUser,
  caseId: number,
  problemId: number,
  patch: PatchProblemInput,
): Promise<Problem> {
  await db.transaction().execute(async (trx) => {
    const row = await lockCaseFor(trx, user, caseId);
    const problem = await problems.findProblem(trx, caseId, problemId);
    if (!problem) throw notFound();
    assertMayEdit(user, row, ['problems']);
    // done_at is the moment it was marked done: re-sending the same status keeps it
    const { status, ...rest } = patch;
    await problems.updateProblem(trx, problemId, { ...rest, ...(status !== problem.status ? { status } : {}) });
    await recordAudit(trx, actorOf(user), 'case.problem_update', objectOf(row), { problemId, ...patch });
  });
  return toProblem((await problems.findProblem(db, caseId, problemId)) as problems.ProblemRow);
}

export function objectOf(row: repo.CaseRow): { type: string; id: number; regionId: number } {
  return { type: 'rectification_case', id: row.id, regionId: row.villageId };
}
