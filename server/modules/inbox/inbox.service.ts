// The inbox (待办): everything in the caller's subtree waiting for their role, each item linking to
// the console page where it is acted on. Sessions and problems are read by this module's own
// queries; the cases waiting for a step come from the cases service (its INBOX_STATES), the
// untreated department reports (年内动态排查) from the deptreports service. The identification lists
// waiting for a step (三级认定) and the reports the county sent to screening that no screening
// answers yet are this module's own queries too (read-only, one statement each).
import type { Db } from '../../db/database.ts';
import type { CurrentUser } from '../../lib/access.ts';
import { listInbox } from '../cases/cases.service.ts';
import { untreatedReports } from '../deptreports/deptreports.service.ts';
import * as repo from './inbox.repository.ts';
import { CATEGORY_LABEL } from '../deptreports/deptreports.rules.ts';
import {
  chinaToday,
  closeKinds,
  closingDetail,
  closingDue,
  confirmKinds,
  followsOwnList,
  followsProblems,
  listReturnedDetail,
  listStagesWaitingFor,
  listWaitingDetail,
  overdueDetail,
} from './inbox.rules.ts';
import type { Inbox, InboxItem } from './inbox.schemas.ts';

/** Items shown of each kind (the counts are of all). */
export const ITEM_LIMIT = 100;

const none = { rows: [], total: 0 };
const chinaDate = (at: Date): string => chinaToday(at).day;
/** A session's title names its village already when it was given the default one. */
const named = (village: string, title: string): string => (title.startsWith(village) ? title : `${village}：${title}`);

const lastStepOf = (l: repo.ListWaitingRow) =>
  l.lastAction === null
    ? null
    : {
        action: l.lastAction,
        meeting: l.lastMeeting,
        meetingDate: l.lastMeetingDate,
        documentNo: l.lastDocumentNo,
        reason: l.lastReason,
      };

export async function getInbox(db: Db, user: CurrentUser, now = new Date()): Promise<Inbox> {
  const today = chinaToday(now);
  const confirm = confirmKinds(user.role);
  const close = closeKinds(user.role);
  const waitingStages = listStagesWaitingFor(user.role);
  const ownList = followsOwnList(user.role);
  const [toConfirm, cases, overdue, closing, reports, lists, returned, toScreen] = await Promise.all([
    confirm.length > 0 ? repo.residentsToConfirm(db, user.regionId, confirm, ITEM_LIMIT) : none,
    user.role === 'admin' ? [] : listInbox(db, user),
    followsProblems(user.role) ? repo.overdueProblems(db, user.regionId, today.day, ITEM_LIMIT) : none,
    close.length > 0 ? repo.closingToday(db, user.regionId, close, today, ITEM_LIMIT) : none,
    untreatedReports(db, user, ITEM_LIMIT),
    repo.listsWaiting(db, user.regionId, { stages: waitingStages }, ITEM_LIMIT),
    ownList ? repo.listsWaiting(db, user.regionId, { stages: ['draft'], returned: true }, ITEM_LIMIT) : none,
    ownList ? repo.reportsToScreen(db, user.regionId, ITEM_LIMIT) : none,
  ]);
  const year = Number(today.day.slice(0, 4));
  const items: InboxItem[] = [
    ...toConfirm.rows.map((s): InboxItem => ({
      kind: 'confirm_residents',
      title: named(s.villageName, s.title),
      detail: `申报在村人数 ${s.residentsPresent} 人，核对后再次输入确认，才能开始测评`,
      link: `#/sessions/${s.id}`,
      dueDate: chinaDate(s.createdAt),
    })),
    ...cases.slice(0, ITEM_LIMIT).map((c): InboxItem => ({
      kind: 'case_waiting',
      title: `${c.villageName}：${c.stateLabel}`,
      detail: `${c.campaignTitle}；${c.light.reason}`,
      link: `#/cases/${c.id}`,
      dueDate: c.deadline,
    })),
    ...overdue.rows.map((p): InboxItem => ({
      kind: 'problem_overdue',
      title: `${p.villageName}：${p.description}`,
      detail: overdueDetail(p.owner, p.deadline, now),
      link: `#/cases/${p.caseId}`,
      dueDate: p.deadline,
    })),
    ...closing.rows.map((s): InboxItem => ({
      kind: 'closing_today',
      title: named(s.villageName, s.title),
      detail: closingDetail(s, now),
      link: `#/sessions/${s.id}`,
      dueDate: closingDue(s, now),
    })),
    ...reports.rows.map((r): InboxItem => ({
      kind: 'dept_report',
      title: `${r.village.townshipName}${r.village.name}：${r.department}报送（${r.categoryLabel}）`,
      detail: `${r.summary.replace(/[。；，.;,\s]+$/u, '')}；${
        user.role === 'county' ? '请驳回（须写理由）或启动排查' : '等待县委组织部处理，乡镇可写备注'
      }`,
      link: `#/deptreports/${r.id}`,
    })),
    ...lists.rows.map((l): InboxItem => ({
      kind: 'list_waiting',
      title: `${l.townshipName} ${l.year} 年度认定名单：${l.stage === 'proposed' ? '待部务会初步认定' : '待常委会审定'}`,
      detail: listWaitingDetail(l.stage, l, lastStepOf(l)),
      link: `#/decisions/${l.id}`,
    })),
    ...returned.rows.map((l): InboxItem => ({
      kind: 'list_returned',
      title: `${l.townshipName} ${l.year} 年度认定名单：已退回乡镇`,
      detail: listReturnedDetail({
        meeting: l.lastMeeting,
        meetingDate: l.lastMeetingDate,
        reason: l.lastReason,
        at: l.lastAt ?? now,
      }),
      link: `#/decisions/${l.id}`,
    })),
    ...toScreen.rows.map((r): InboxItem => ({
      kind: 'report_to_screen',
      title: `${r.townshipName}${r.villageName}：${r.department}报送（${CATEGORY_LABEL[r.category]}）待排查`,
      detail: `县委组织部 ${chinaDate(r.requestedAt)} 要求对该村开展负向测评，排查依据选“因部门报送排查”`,
      link: `#/risk/${r.villageId}?year=${year}`,
    })),
  ];
  const counts = {
    confirm_residents: toConfirm.total,
    case_waiting: cases.length,
    problem_overdue: overdue.total,
    closing_today: closing.total,
    dept_report: reports.total,
    list_waiting: lists.total,
    list_returned: returned.total,
    report_to_screen: toScreen.total,
  };
  return { items, counts, total: Object.values(counts).reduce((a, b) => a + b, 0) };
}
