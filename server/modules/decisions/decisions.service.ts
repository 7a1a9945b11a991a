// 三级认定 (issue 10 item 5, seed 000). A township builds its list of the year from its villages'
// risk screenings (each entry prefilled with the screening's proposal; a deviation needs a note),
// then records its 乡镇党委会 decision (propose). The county organization department records the
// 部务会 initial determination and the 常委会 approval; either may send the list back with a reason.
// The stage machine and what each step requires: decisions.rules.ts. Each step is appended with
// who entered it and when, and audited. Approval lists the villages: decisions.approval.ts.
import type { Transaction } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { DB } from '../../db/schema.ts';
import { AppError, forbidden, notFound } from '../../errors.ts';
import { assertInScope, assertRole, type CurrentUser, type Role } from '../../lib/access.ts';
import { actorOf, recordAudit } from '../audit/audit.service.ts';
import { chinaDay } from '../cases/cases.rules.ts';
import { isOpenCaseConflict } from '../cases/cases.service.ts';
import { isUniqueViolation } from '../cases/campaigns.repository.ts';
import { gradeOfYear, villageGradesUnder } from '../grading/grading.service.ts';
import { countyOf, getChildren, getRegionInScope, type RegionRow } from '../regions/regions.service.ts';
import { latestScreeningsUnder } from '../risk/risk.evidence.service.ts';
import { approveIn } from './decisions.approval.ts';
import * as repo from './decisions.repository.ts';
import { ACTION_LABEL, edgeOf, entryRefusal, lastStepDay, STAGE_LABEL, stepRefusal } from './decisions.rules.ts';
import type { CreateListInput, ListsReply, ListView, PutListInput, StepInput } from './decisions.schemas.ts';
import { blockedBy, entriesView, toListView } from './decisions.view.ts';

export const READERS: readonly Role[] = ['city', 'county', 'township'];

export const invalid = (field: string, message: string): AppError =>
  new AppError('VALIDATION_FAILED', message, [{ field, message }]);

/** The list if its township lies in the user's subtree; otherwise the one 404. */
async function listFor(db: Db, user: CurrentUser, id: number): Promise<repo.ListRow> {
  const row = await repo.findList(db, id);
  assertInScope(user, row?.townshipPath);
  return row as repo.ListRow;
}

export async function getList(db: Db, user: CurrentUser, id: number): Promise<ListView> {
  assertRole(user, READERS);
  return toListView(db, user, await listFor(db, user, id));
}

/** The township itself, a county's townships, or a city's (county by county). */
async function townshipsUnder(db: Db, user: CurrentUser, region: RegionRow): Promise<{ id: number; name: string }[]> {
  if (region.level === 'township') return [{ id: region.id, name: region.name }];
  const children = (await getChildren(db, user, region.id)).children;
  if (region.level === 'county') return children.map((c) => ({ id: c.id, name: c.name }));
  const counties = await Promise.all(children.map((c) => getChildren(db, user, c.id)));
  return counties.flatMap(({ region: county, children: ts }) =>
    ts.map((t) => ({ id: t.id, name: `${county.name} ${t.name}` })),
  );
}

/** The townships of a township, county or city with their list of the year, if any. */
export async function listLists(
  db: Db,
  user: CurrentUser,
  query: { regionId?: number | undefined; year: number },
): Promise<ListsReply> {
  assertRole(user, READERS);
  const region = await getRegionInScope(db, user, query.regionId ?? user.regionId);
  if (region.level === 'village') throw invalid('regionId', '请选择市、县或乡镇');
  const townships = await townshipsUnder(db, user, region);
  const [lists, screenings, grades] = await Promise.all([
    repo.listsUnder(db, region.id, query.year),
    latestScreeningsUnder(db, region.id, query.year),
    villageGradesUnder(db, region.id, query.year),
  ]);
  const townshipOf = new Map(grades.map((g) => [g.villageId, g.townshipId]));
  const screened = new Map<number, number>();
  for (const s of screenings) {
    const t = townshipOf.get(s.villageId);
    if (t !== undefined) screened.set(t, (screened.get(t) ?? 0) + 1);
  }
  const counts = await repo.outcomeCounts(
    db,
    lists.map((l) => l.id),
  );
  const byTownship = new Map(lists.map((l) => [l.townshipId, l]));
  return {
    year: query.year,
    region: { id: region.id, name: region.name, level: region.level },
    townships: townships.map((t) => {
      const l = byTownship.get(t.id);
      const n = (o: string) => counts.find((c) => c.listId === l?.id && c.outcome === o)?.n ?? 0;
      return {
        townshipId: t.id,
        townshipName: t.name,
        screened: screened.get(t.id) ?? 0,
        list: l
          ? {
              id: l.id,
              stage: l.stage,
              stageLabel: STAGE_LABEL[l.stage],
              version: l.version,
              counts: { rectify: n('rectify'), prevent: n('prevent'), none: n('none') },
              updatedAt: l.updatedAt.toISOString(),
            }
          : null,
      };
    }),
    mayCreate: user.role === 'township' && region.id === user.regionId && !byTownship.has(region.id),
  };
}

/** The township starts its list of the year, prefilled from its villages' latest screenings. */
export async function createList(db: Db, user: CurrentUser, input: CreateListInput): Promise<ListView> {
  assertRole(user, ['township']);
  const township = await getRegionInScope(db, user, input.townshipId);
  if (township.level !== 'township') throw invalid('townshipId', '请选择一个乡镇');
  const exists = () => new AppError('CONFLICT', `本乡镇 ${input.year} 年度的认定名单已建立`);
  if (await repo.listOfTownship(db, township.id, input.year)) throw exists();
  try {
    const id = await db.transaction().execute((trx) => createListIn(trx, user, township, input.year));
    return getList(db, user, id);
  } catch (err) {
    if (isUniqueViolation(err, 'identification_list_township_id_year_key')) throw exists();
    throw err;
  }
}

/** Starts the township's list of the year (role and scope checked by the caller) in the caller's
 * transaction, prefilled from its villages' latest screenings; returns its id. */
export async function createListIn(
  trx: Transaction<DB>,
  user: CurrentUser,
  township: RegionRow,
  year: number,
): Promise<number> {
  const screenings = await latestScreeningsUnder(trx, township.id, year);
  const listId = await repo.insertList(trx, {
    townshipId: township.id,
    countyId: countyOf(township) as number,
    year,
    createdBy: user.id,
  });
  await repo.replaceEntries(
    trx,
    listId,
    screenings.map((s) => ({
      villageId: s.villageId,
      outcome: s.outcome,
      preventionLevel: s.preventionLevel,
      screeningId: s.id,
      gradeId: s.gradeId,
      note: '',
    })),
  );
  await recordAudit(
    trx,
    actorOf(user),
    'identification.create',
    { type: 'identification_list', id: listId, regionId: township.id },
    { year, villages: screenings.length },
  );
  return listId;
}

/** The township's list of the year, if any (for other modules: the demo seed). */
export const listOfTownship = (db: Db, townshipId: number, year: number): Promise<repo.ListRow | undefined> =>
  repo.listOfTownship(db, townshipId, year);

/** The township saves its entries (draft only): one per village screened in the year, no other. */
export async function putList(db: Db, user: CurrentUser, id: number, input: PutListInput): Promise<ListView> {
  assertRole(user, READERS);
  const found = await listFor(db, user, id);
  if (user.role !== 'township') throw forbidden();
  await db.transaction().execute((trx) => putListIn(trx, user, found, input));
  return getList(db, user, id);
}

/** Saves the township's entries (role and scope checked by the caller) in the caller's transaction. */
export async function putListIn(
  trx: Transaction<DB>,
  user: CurrentUser,
  found: Pick<repo.ListRow, 'id' | 'townshipId' | 'year'>,
  input: PutListInput,
): Promise<void> {
  const id = found.id;
  const screenings = new Map(
    (await latestScreeningsUnder(trx, found.townshipId, found.year)).map((s) => [s.villageId, s]),
  );
  const seen = new Set<number>();
  const entries = [];
  for (const [i, e] of input.entries.entries()) {
    const s = screenings.get(e.villageId);
    if (!s) throw invalid(`entries.${i}.villageId`, '该村本年度没有负向测评排查记录，不能列入名单');
    if (seen.has(e.villageId)) throw invalid(`entries.${i}.villageId`, '同一个村在名单中重复');
    seen.add(e.villageId);
    const why = entryRefusal(e, s);
    if (why) throw invalid(`entries.${i}.note`, why);
    const gradeId = s.gradeId ?? (await gradeOfYear(trx, e.villageId, found.year))?.id ?? null;
    entries.push({ ...e, note: e.note.trim(), screeningId: s.id, gradeId });
  }
  const missing = [...screenings.keys()].filter((v) => !seen.has(v));
  if (missing.length > 0) {
    throw invalid('entries', `有 ${missing.length} 个已排查的村未列入名单：已排查的村都须列入（可认定为“不作认定”）`);
  }
  const list = await lockOwn(trx, id);
  if (list.stage !== 'draft') {
    throw new AppError('INVALID_STATE', `名单当前为“${STAGE_LABEL[list.stage]}”，不能再修改；如需修改请县委组织部退回`);
  }
  if (list.version !== input.version) throw new AppError('CONFLICT', '名单已被他人修改，请刷新后在最新内容上再改');
  await repo.replaceEntries(trx, id, entries);
  await repo.touchList(trx, id);
  await recordAudit(trx, actorOf(user), 'identification.save', objectOf(list), {
    version: list.version + 1,
    entries: entries.map((e) => ({ villageId: e.villageId, outcome: e.outcome, preventionLevel: e.preventionLevel })),
  });
}

async function lockOwn(trx: Transaction<DB>, id: number): Promise<repo.ListRow> {
  const list = await repo.lockList(trx, id);
  if (!list) throw notFound();
  return list;
}

const objectOf = (list: repo.ListRow) => ({ type: 'identification_list', id: list.id, regionId: list.townshipId });

/** One step of the three levels, under the list's lock (two approvals: the second finds it approved). */
export async function takeStep(db: Db, user: CurrentUser, id: number, input: StepInput): Promise<ListView> {
  assertRole(user, READERS);
  await listFor(db, user, id);
  if (user.role !== 'township' && user.role !== 'county') throw forbidden();
  await db
    .transaction()
    .execute((trx) => takeStepIn(trx, user, id, input))
    .catch((err: unknown) => {
      // a case listed by hand in the meantime: the unique index of open cases stopped the approval
      if (isOpenCaseConflict(err)) {
        throw new AppError('CASE_EXISTS', '名单中有村刚被列为整顿对象，已有未结案的整顿案件：请刷新后核对');
      }
      throw err;
    });
  return getList(db, user, id);
}

/** One step (scope checked by the caller; the step's role here) in the caller's transaction, under
 * the list's lock; returns what the approval made (campaignId null for other steps). */
export async function takeStepIn(
  trx: Transaction<DB>,
  user: CurrentUser,
  id: number,
  input: StepInput,
): Promise<{ campaignId: number | null; cases?: number[]; preventions?: number[] }> {
  const list = await lockOwn(trx, id);
  const edge = edgeOf(input.action, list.stage);
  if (!edge) {
    throw new AppError('INVALID_STATE', `名单当前为“${STAGE_LABEL[list.stage]}”，不能${ACTION_LABEL[input.action]}`);
  }
  if (edge.role !== user.role) throw forbidden();
  const steps = await repo.stepsOf(trx, id);
  const last = lastStepDay(steps.map((s) => ({ ...s, enteredOn: chinaDay(s.at) })));
  const why = stepRefusal(edge, input, chinaDay(), last, list.year);
  if (why) throw invalid(why.field, why.message);
  if (edge.action === 'propose') {
    const blocked = blockedBy(list, await entriesView(trx, list), null);
    if (blocked) throw new AppError('INVALID_STATE', blocked);
  }
  const detail = edge.action === 'approve' ? await approveIn(trx, user, list, input) : { campaignId: null };
  const clean = (s: string | undefined) => (s === undefined || s.trim() === '' ? null : s.trim());
  await repo.insertStep(trx, {
    listId: id,
    action: edge.action,
    fromStage: edge.from,
    toStage: edge.to,
    meeting: edge.meeting,
    meetingDate: input.meetingDate ?? null,
    documentNo: clean(input.documentNo),
    decision: edge.action === 'return' ? null : clean(input.decision),
    reason: edge.action === 'return' ? clean(input.reason) : null,
    officialId: user.id,
    actorName: user.displayName || user.username,
    actorRole: user.role,
  });
  await repo.touchList(trx, id, {
    stage: edge.to,
    ...(detail.campaignId !== null ? { campaignId: detail.campaignId } : {}),
  });
  await recordAudit(trx, actorOf(user), `identification.${edge.action}`, objectOf(list), {
    from: edge.from,
    to: edge.to,
    meeting: edge.meeting,
    meetingDate: input.meetingDate ?? null,
    documentNo: clean(input.documentNo),
    ...detail,
  });
  return detail;
}
