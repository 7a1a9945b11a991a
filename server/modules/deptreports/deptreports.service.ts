// 年内动态排查 (issue 10 item 4b). A 行业部门 account, bound to its county, files reports about that
// county's villages and reads only its own reports (another department's is "not found", like
// anything outside a subtree). The township, county and city read the reports about villages in
// their subtree; the township adds notes; the county dismisses a report (with its reason) or asks
// for an immediate risk screening of the village. Every step is appended to department_report_step
// with who and when, and to the audit log.
//
// 启动排查 records the county's decision (status screening_requested); it does not screen by itself,
// because the screening is the township's work: marking every item of the negative list with
// evidence. The township then screens the village on the risk page, choosing 因部门报送排查
// (risk.service.ts screenVillageIn with this report's id: trigger 'report', whatever the village's
// grade). The report's view lists the screenings made for it, so the department and the county see
// what became of it; requestedReportsOf and reportForScreening are what the risk module reads.
import type { Transaction } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { DB } from '../../db/schema.ts';
import { AppError, forbidden, notFound } from '../../errors.ts';
import { assertRole, inScope, ROLE_LABEL, type CurrentUser, type Role } from '../../lib/access.ts';
import { actorOf, recordAudit } from '../audit/audit.service.ts';
import { chinaToday } from '../inbox/inbox.rules.ts';
import { getRegion, getRegionInScope } from '../regions/regions.service.ts';
import { LEVEL_LABEL } from '../risk/risk.rules.ts';
import * as repo from './deptreports.repository.ts';
import {
  actionsFor,
  ACTION_LABEL,
  CATEGORIES,
  CATEGORY_LABEL,
  nextStatus,
  READER_ROLES,
  refusal,
  reportProblem,
  STATUS_LABEL,
  TEXT_MAX,
  type Category,
  type Status,
} from './deptreports.rules.ts';
import type {
  CreateInput,
  FormReply,
  ListReply,
  ReportItem,
  ReportView,
  RequestedReport,
} from './deptreports.schemas.ts';

export const LIST_LIMIT = 200;
export { READER_ROLES };

const invalid = (field: string, message: string) => new AppError('VALIDATION_FAILED', message, [{ field, message }]);
const actorName = (user: CurrentUser) => user.displayName || user.username;

function toItem(r: repo.ReportRow): ReportItem {
  const chars = [...r.description];
  return {
    id: r.id,
    village: { id: r.villageId, name: r.villageName, townshipName: r.townshipName },
    department: r.department,
    category: r.category,
    categoryLabel: CATEGORY_LABEL[r.category],
    eventDate: r.eventDate,
    status: r.status,
    statusLabel: STATUS_LABEL[r.status],
    createdAt: r.createdAt.toISOString(),
    summary: chars.length > 80 ? `${chars.slice(0, 80).join('')}…` : r.description,
  };
}

/** A department sees its own reports; the others those about villages in their subtree. */
function mayRead(user: CurrentUser, r: repo.ReportRow): boolean {
  if (user.role === 'department') return r.reportedBy === user.id;
  return READER_ROLES.includes(user.role) && inScope(user, r.villagePath);
}

async function readable(db: Db, user: CurrentUser, id: number): Promise<repo.ReportRow> {
  assertRole(user, READER_ROLES);
  const r = await repo.findReport(db, id);
  if (!r || !mayRead(user, r)) throw notFound();
  return r;
}

export async function getReport(db: Db, user: CurrentUser, id: number): Promise<ReportView> {
  const r = await readable(db, user, id);
  const [steps, screenings] = await Promise.all([repo.stepsOf(db, id), repo.screeningsFor(db, id)]);
  return {
    ...toItem(r),
    description: r.description,
    reporterName: r.reporterName,
    steps: steps.map((s) => ({
      action: s.action,
      actionLabel: ACTION_LABEL[s.action],
      toStatus: s.toStatus,
      at: s.at.toISOString(),
      actorName: s.actorName,
      actorRoleLabel: ROLE_LABEL[s.actorRole as Role] ?? s.actorRole,
      text: s.text,
    })),
    actions: actionsFor(user.role, r.status),
    screenings: screenings.map((x) => ({
      id: x.id,
      villageId: x.villageId,
      year: x.year,
      levelLabel: `${LEVEL_LABEL[x.level]}风险`,
      actorName: x.actorName,
      screenedAt: x.screenedAt.toISOString(),
    })),
  };
}

export async function listReports(
  db: Db,
  user: CurrentUser,
  query: { status?: Status | undefined; regionId?: number | undefined },
): Promise<ListReply> {
  assertRole(user, READER_ROLES);
  let scope: { authorId: number } | { regionId: number };
  if (user.role === 'department') {
    if (query.regionId !== undefined && query.regionId !== user.regionId) throw notFound();
    scope = { authorId: user.id };
  } else {
    scope = { regionId: (await getRegionInScope(db, user, query.regionId ?? user.regionId)).id };
  }
  const [rows, byStatus] = await Promise.all([
    repo.listReports(db, scope, query.status, LIST_LIMIT),
    repo.countByStatus(db, scope),
  ]);
  const counts = { submitted: 0, dismissed: 0, screening_requested: 0 };
  for (const c of byStatus) counts[c.status] = c.n;
  return { reports: rows.map(toItem), counts, limit: LIST_LIMIT };
}

/** The new-report form: the department's name, its county's townships and villages, the categories. */
export async function getForm(db: Db, user: CurrentUser, now = new Date()): Promise<FormReply> {
  assertRole(user, ['department']);
  const [department, county, rows] = await Promise.all([
    repo.departmentOf(db, user.id),
    getRegion(db, user.regionId),
    repo.villagesOfCounty(db, user.regionId),
  ]);
  const townships: FormReply['townships'] = [];
  for (const r of rows) {
    let t = townships.at(-1);
    if (t?.id !== r.townshipId) townships.push((t = { id: r.townshipId, name: r.townshipName, villages: [] }));
    t.villages.push({ id: r.villageId, name: r.villageName });
  }
  return {
    department: department ?? '',
    county: { id: user.regionId, name: county?.name ?? '' },
    townships,
    categories: CATEGORIES.map((value) => ({ value, label: CATEGORY_LABEL[value] })),
    today: chinaToday(now).day,
  };
}

export async function createReport(
  db: Db,
  user: CurrentUser,
  input: CreateInput,
  now = new Date(),
): Promise<ReportView> {
  assertRole(user, ['department']);
  // a village outside the department's county is not found, like anything outside a subtree
  const village = await getRegionInScope(db, user, input.villageId);
  if (village.level !== 'village') throw invalid('villageId', '请选择一个村');
  const problem = reportProblem(input, chinaToday(now).day);
  if (problem) throw invalid(problem.field, problem.message);
  const department = await repo.departmentOf(db, user.id);
  if (!department) throw forbidden();
  const id = await db
    .transaction()
    .execute((trx) => fileReportIn(trx, user, department, { ...input, villageId: village.id }));
  return getReport(db, user, id);
}

function textOf(raw: string, field: string, what: string): string {
  const text = raw.trim();
  if (text.length === 0) throw invalid(field, `请填写${what}`);
  if ([...text].length > TEXT_MAX) throw invalid(field, `${what}不能超过 ${TEXT_MAX} 个字`);
  return text;
}

/** A checked report filed in the caller's transaction (the demo seed files one too): the report, its
 * submit step and the audit entry. */
export async function fileReportIn(
  trx: Transaction<DB>,
  user: CurrentUser,
  department: string,
  input: CreateInput,
): Promise<number> {
  const id = await repo.insertReport(trx, {
    countyId: user.regionId,
    villageId: input.villageId,
    department,
    reportedBy: user.id,
    category: input.category as Category,
    description: input.description.trim(),
    eventDate: input.eventDate,
  });
  await repo.insertStep(trx, {
    reportId: id,
    action: 'submit',
    fromStatus: null,
    toStatus: 'submitted',
    officialId: user.id,
    actorName: actorName(user),
    actorRole: user.role,
    text: null,
  });
  await recordAudit(
    trx,
    actorOf(user),
    'dept_report.submit',
    { type: 'department_report', id, regionId: input.villageId },
    { department, category: input.category, eventDate: input.eventDate },
  );
  return id;
}

/** dismiss (a reason), request_screening, or a township's note: checked, locked, recorded. */
async function act(
  db: Db,
  user: CurrentUser,
  id: number,
  action: 'dismiss' | 'request_screening' | 'note',
  rawText: string | null,
): Promise<ReportView> {
  const r = await readable(db, user, id);
  const first = refusal(user.role, action, r.status);
  if (first?.reason === 'role') throw forbidden();
  const text = rawText === null ? null : textOf(rawText, 'text', action === 'dismiss' ? '驳回理由' : '备注');
  await db.transaction().execute(async (trx) => {
    const status = (await repo.lockStatus(trx, id)) as Status;
    const why = refusal(user.role, action, status);
    if (why?.reason === 'state') throw new AppError('INVALID_STATE', why.message);
    const to = action === 'note' ? status : nextStatus(action);
    if (to !== status) await repo.setStatus(trx, id, to);
    await repo.insertStep(trx, {
      reportId: id,
      action,
      fromStatus: status,
      toStatus: to,
      officialId: user.id,
      actorName: actorName(user),
      actorRole: user.role,
      text,
    });
    await recordAudit(
      trx,
      actorOf(user),
      `dept_report.${action}`,
      { type: 'department_report', id, regionId: r.villageId },
      { from: status, to, ...(text === null ? {} : { text }) },
    );
  });
  return getReport(db, user, id);
}

export const dismissReport = (db: Db, user: CurrentUser, id: number, reason: string) =>
  act(db, user, id, 'dismiss', reason);
export const requestScreening = (db: Db, user: CurrentUser, id: number) => act(db, user, id, 'request_screening', null);
export const addNote = (db: Db, user: CurrentUser, id: number, note: string) => act(db, user, id, 'note', note);

/** The inbox's share: untreated reports about villages under a township or county. */
export async function untreatedReports(
  db: Db,
  user: CurrentUser,
  limit: number,
): Promise<{ rows: ReportItem[]; total: number }> {
  if (user.role !== 'township' && user.role !== 'county') return { rows: [], total: 0 };
  const { rows, total } = await repo.untreatedUnder(db, user.regionId, limit);
  return { rows: rows.map(toItem), total };
}

/** Has this account filed any report? (The demo seed files its one report only once.) */
export async function hasFiled(db: Db, officialId: number): Promise<boolean> {
  return (await repo.listReports(db, { authorId: officialId }, undefined, 1)).length > 0;
}

/** For the risk module: the reports about a village whose screening the county requested (the
 * township picks one to screen for), each saying whether a screening answered it already. */
export async function requestedReportsOf(db: Db, villageId: number): Promise<RequestedReport[]> {
  const rows = await repo.requestedAbout(db, villageId);
  return rows.map((r) => {
    const chars = [...r.description];
    return {
      id: r.id,
      department: r.department,
      categoryLabel: CATEGORY_LABEL[r.category],
      eventDate: r.eventDate,
      summary: chars.length > 80 ? `${chars.slice(0, 80).join('')}…` : r.description,
      answered: r.answered,
    };
  });
}

/** For the risk module: the village and status of a report (undefined when there is none). */
export async function reportForScreening(
  db: Db,
  id: number,
): Promise<{ villageId: number; status: Status } | undefined> {
  const r = await repo.findReport(db, id);
  return r && { villageId: r.villageId, status: r.status };
}

/** For the risk module's list: per village under a region, how many requested reports wait for a screening. */
export async function unansweredRequestsUnder(db: Db, regionId: number): Promise<Map<number, number>> {
  return new Map((await repo.unansweredRequestsUnder(db, regionId)).map((r) => [r.villageId, r.n]));
}
