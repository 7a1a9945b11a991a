// Campaign scheduling: sessions of one kind for many villages at once, and the times at which the
// server opens and closes a session by itself (schedule.jobs).
//
// A batch is checked whole before anything is created: a village outside the caller's subtree is
// the one 404 (as everywhere); a region that is not a village, a village listed twice, refused by
// its case, or without a case when the creator has not acknowledged it, refuses the batch (400,
// every such village named) with nothing created. Then each village's
// session is created by the sessions service's createSession, one transaction per village with its
// schedule and jobs; a village that still fails then (e.g. the database went away) is reported in
// `failed` beside the ones created, which stay.
import type { Transaction } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { DB } from '../../db/schema.ts';
import { AppError, forbidden, notFound, type FieldError } from '../../errors.ts';
import { assertInScope, type CurrentUser } from '../../lib/access.ts';
import { getRegion, type RegionRow } from '../regions/regions.service.ts';
import { sessionContext } from '../sessions/serving.service.ts';
import type { SessionView } from '../sessions/sessions.schemas.ts';
import { mayCreate } from '../sessions/sessions.rules.ts';
import {
  assertMay,
  createSession,
  getSessionView,
  lockSessionFor,
  recordSessionChange,
} from '../sessions/sessions.service.ts';
import type { JobQueue } from './schedule.jobs.ts';
import * as repo from './schedule.repository.ts';
import { batchTitle, duplicateRows, scheduleChangeProblem, windowProblem, type Window } from './schedule.rules.ts';
import type { BatchInput, BatchResult, PreviewRow, PreviewView, ScheduleInput } from './schedule.schemas.ts';

const ms = (iso: string | null | undefined): number | null => (iso ? Date.parse(iso) : null);
const dateOf = (t: number | null): Date | null => (t === null ? null : new Date(t));

/** Stores the times, records the change and enqueues a job per time that changed, in `trx`. */
async function storeSchedule(
  trx: Transaction<DB>,
  jobs: JobQueue,
  user: CurrentUser,
  session: { id: number; villageId: number },
  before: Window,
  next: Window,
): Promise<void> {
  await repo.setTimes(trx, session.id, { openAt: dateOf(next.openAt), closeAt: dateOf(next.closeAt) });
  await recordSessionChange(trx, user, session, 'schedule', {
    openAt: dateOf(next.openAt)?.toISOString() ?? null,
    closeAt: dateOf(next.closeAt)?.toISOString() ?? null,
  });
  for (const action of ['open', 'close'] as const) {
    const at = action === 'open' ? next.openAt : next.closeAt;
    const was = action === 'open' ? before.openAt : before.closeAt;
    if (at !== null && at !== was) {
      await jobs.enqueue(trx, {
        sessionId: session.id,
        action,
        dueAt: new Date(at).toISOString(),
        officialId: user.id,
      });
    }
  }
}

async function previewRow(
  db: Db,
  user: CurrentUser,
  input: BatchInput,
  index: number,
  regions: Map<number, RegionRow | undefined>,
): Promise<PreviewRow> {
  const { villageId, residentsPresent } = input.villages[index] as BatchInput['villages'][number];
  const region = regions.get(villageId);
  const base = { villageId, residentsPresent, title: null, case: null, serves: false, message: '' };
  const line = `第 ${index + 1} 行`;
  // as everywhere, a region outside the caller's subtree is the one 404: nothing said about it
  assertInScope(user, region?.path);
  if (!region) throw notFound();
  const township = region.parentId === null ? undefined : regions.get(region.parentId);
  const named = { ...base, villageName: region.name, townshipName: township?.name ?? null };
  if (region.level !== 'village') return { ...named, problem: `${line}：${region.name}不是村` };
  const context = await sessionContext(db, user, villageId, input.kind);
  const row = {
    ...named,
    title: batchTitle(region.name, input.title) ?? null,
    case: context.case ? { id: context.case.id, stateLabel: context.case.stateLabel } : null,
    serves: context.serves,
    message: context.message,
  };
  return { ...row, problem: context.allowed ? null : context.message };
}

/** What the batch would create, village by village, without creating anything. */
export async function previewBatch(
  db: Db,
  user: CurrentUser,
  input: BatchInput,
  now = Date.now(),
): Promise<PreviewView> {
  if (!mayCreate(user.role, input.kind)) throw forbidden();
  const regions = new Map<number, RegionRow | undefined>();
  for (const { villageId } of input.villages) {
    if (regions.has(villageId)) continue;
    const region = await getRegion(db, villageId);
    regions.set(villageId, region);
    if (region && region.parentId !== null && !regions.has(region.parentId)) {
      regions.set(region.parentId, await getRegion(db, region.parentId));
    }
  }
  const rows: PreviewRow[] = [];
  for (let i = 0; i < input.villages.length; i++) rows.push(await previewRow(db, user, input, i, regions));
  for (const i of duplicateRows(input.villages)) {
    const row = rows[i] as PreviewRow;
    row.problem ??= `第 ${i + 1} 行：${row.villageName}重复出现`;
  }
  const window = windowProblem({ openAt: ms(input.openAt), closeAt: ms(input.closeAt) }, now);
  const withoutCase = rows.filter((r) => r.problem === null && !r.serves).length;
  const ready =
    window === null && rows.every((r) => r.problem === null) && (withoutCase === 0 || !!input.acknowledgeNoCase);
  return { rows, windowProblem: window, withoutCase, ready };
}

function refuseBatch(preview: PreviewView, acknowledged: boolean): void {
  if (preview.windowProblem) {
    throw new AppError('VALIDATION_FAILED', preview.windowProblem, [
      { field: 'openAt', message: preview.windowProblem },
    ]);
  }
  const problems: FieldError[] = preview.rows.flatMap((r, i) => {
    if (r.problem) return [{ field: `villages/${i}`, message: r.problem }];
    if (!r.serves && !acknowledged) return [{ field: `villages/${i}`, message: `第 ${i + 1} 行：${r.message}` }];
    return [];
  });
  if (problems.length === 0) return;
  const shown = problems.slice(0, 5).map((p) => p.message);
  const more = problems.length > 5 ? `；另有 ${problems.length - 5} 个村同样不能创建` : '';
  const hint = problems.some((p, i) => !preview.rows[i]?.problem) ? '（如确认无案件也要测评，请勾选确认）' : '';
  throw new AppError(
    'VALIDATION_FAILED',
    `有 ${problems.length} 个村不能创建，本批次未创建任何测评：${shown.join('；')}${more}${hint}`,
    problems,
  );
}

export async function createBatch(db: Db, jobs: JobQueue, user: CurrentUser, input: BatchInput): Promise<BatchResult> {
  const preview = await previewBatch(db, user, input);
  refuseBatch(preview, !!input.acknowledgeNoCase);
  const window: Window = { openAt: ms(input.openAt), closeAt: ms(input.closeAt) };
  const timed = window.openAt !== null || window.closeAt !== null;
  const result: BatchResult = { created: [], failed: [] };
  for (const [i, row] of preview.rows.entries()) {
    const { villageName } = row;
    try {
      const title = batchTitle(villageName, input.title);
      const s = await createSession(
        db,
        user,
        {
          villageId: row.villageId,
          residentsPresent: row.residentsPresent,
          kind: input.kind,
          ...(title ? { title } : {}),
          acknowledgeNoCase: !!input.acknowledgeNoCase,
        },
        timed ? { also: (trx, session) => storeSchedule(trx, jobs, user, session, NONE, window) } : {},
      );
      const { id, caseId, scheduledOpenAt, scheduledCloseAt } = s;
      result.created.push({
        villageId: row.villageId,
        villageName,
        session: { id, title: s.title, caseId, scheduledOpenAt, scheduledCloseAt },
      });
    } catch (err) {
      const message = err instanceof AppError ? err.message : '创建失败（服务器暂时无法处理），请稍后对此村单独创建';
      result.failed.push({ villageId: row.villageId, villageName, message: `第 ${i + 1} 行：${message}` });
    }
  }
  return result;
}

const NONE: Window = { openAt: null, closeAt: null };

/** Sets, changes or clears (null) the times of one session: both while draft, the close while open. */
export async function setSchedule(
  db: Db,
  jobs: JobQueue,
  user: CurrentUser,
  id: number,
  input: ScheduleInput,
  now = Date.now(),
): Promise<SessionView> {
  await db.transaction().execute(async (trx) => {
    const row = await lockSessionFor(trx, user, id, 'view');
    // who may open (draft) or close (open) the session may schedule it: role and kind
    try {
      assertMay(user, row, row.status === 'draft' ? 'open' : 'close');
    } catch (err) {
      if (err instanceof AppError && err.code === 'INVALID_STATE') {
        throw new AppError('INVALID_STATE', '只有草稿或测评中的场次可以修改定时', { status: row.status });
      }
      throw err;
    }
    const before: Window = {
      openAt: row.scheduledOpenAt?.getTime() ?? null,
      closeAt: row.scheduledCloseAt?.getTime() ?? null,
    };
    const next: Window = { openAt: ms(input.openAt), closeAt: ms(input.closeAt) };
    const problem = scheduleChangeProblem(row.status, before, next, now);
    if (problem) throw new AppError('VALIDATION_FAILED', problem, [{ field: 'schedule', message: problem }]);
    if (next.openAt === before.openAt && next.closeAt === before.closeAt) return;
    await storeSchedule(trx, jobs, user, row, before, next);
  });
  return getSessionView(db, id);
}
