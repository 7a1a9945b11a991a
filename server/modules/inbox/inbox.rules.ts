// What waits for an official (待办), as pure functions: which kinds of item each role gets, and how
// each item is worded. Days are calendar days in China time (UTC+8); `now` is a parameter so tests
// pin it. A session "closes today" when its scheduled close falls today or has passed while it is
// still open; an open session without a schedule that was opened before today should close too.
import type { Role } from '../../lib/access.ts';
import { chinaDay, daysBetween } from '../cases/cases.light.ts';
import { EDGES, type Stage } from '../decisions/decisions.rules.ts';
import { KINDS_RUN_BY, mayAct, SESSION_KINDS, type SessionKind } from '../sessions/sessions.rules.ts';

export const INBOX_KINDS = [
  'confirm_residents',
  'case_waiting',
  'problem_overdue',
  'closing_today',
  'dept_report',
  'list_waiting',
  'list_returned',
  'report_to_screen',
] as const;
export type InboxKind = (typeof INBOX_KINDS)[number];

export const INBOX_KIND_LABEL: Record<InboxKind, string> = {
  confirm_residents: '待确认在村人数',
  case_waiting: '待处理的整顿案件',
  problem_overdue: '超期未整改的问题',
  closing_today: '今天应结束的测评',
  dept_report: '待处理的部门报送',
  list_waiting: '待县级审议的认定名单',
  list_returned: '被退回的认定名单',
  report_to_screen: '待排查的部门报送',
};

/** The session kinds whose residents this role confirms (sessions.rules: township, county, city). */
export function confirmKinds(role: Role): SessionKind[] {
  return SESSION_KINDS.filter((k) => mayAct(role, k, 'confirm_residents', 'draft'));
}

/** The session kinds this role closes. */
export function closeKinds(role: Role): SessionKind[] {
  return KINDS_RUN_BY[role].filter((k) => mayAct(role, k, 'close', 'open'));
}

/** Every evaluation role follows the problems of the cases in its subtree; an admin none. */
export const followsProblems = (role: Role): boolean => role !== 'admin';

const CHINA_OFFSET_MS = 8 * 3600_000;

/** Today in China time: its date and the instant the next day starts. */
export function chinaToday(now: Date): { day: string; start: Date; end: Date } {
  const day = chinaDay(now);
  const start = new Date(Date.parse(`${day}T00:00:00Z`) - CHINA_OFFSET_MS);
  return { day, start, end: new Date(start.getTime() + 86_400_000) };
}

const hhmm = (at: Date): string => new Date(at.getTime() + CHINA_OFFSET_MS).toISOString().slice(11, 16);

/** Why an open session should close today (the repository picked only those that should). */
export function closingDetail(s: { openedAt: Date; scheduledCloseAt: Date | null }, now: Date): string {
  const today = chinaDay(now);
  if (s.scheduledCloseAt) {
    const day = chinaDay(s.scheduledCloseAt);
    return day === today
      ? `定于今天 ${hhmm(s.scheduledCloseAt)} 结束`
      : `原定 ${day} ${hhmm(s.scheduledCloseAt)} 结束，仍在进行，请尽快结束`;
  }
  return `${chinaDay(s.openedAt)} 开始，至今未结束，请在测评结束后及时结束并计票`;
}

/** The date a closing session is due: its scheduled close's day, else today. */
export function closingDue(s: { scheduledCloseAt: Date | null }, now: Date): string {
  return chinaDay(s.scheduledCloseAt ?? now);
}

/** e.g. 期限 2026-03-01，已超期 5 天 */
export function overdueDetail(owner: string, deadline: string, now: Date): string {
  return `责任人：${owner}；期限 ${deadline}，已超期 ${daysBetween(deadline, chinaDay(now))} 天`;
}

/**
 * 三级认定: the stages in which a township's list waits for this role's step forward (the county:
 * proposed → 部务会初步认定, determined → 常委会审定). The township's own step (propose a draft) waits
 * on it only once the list was sent back, so a draft is not listed here.
 */
export function listStagesWaitingFor(role: Role): Stage[] {
  return EDGES.filter((e) => e.role === role && e.action !== 'return' && e.from !== 'draft').map((e) => e.from);
}

/** A township follows its list sent back to it, and the reports whose screening the county requested. */
export const followsOwnList = (role: Role): boolean => role === 'township';

export interface ListCounts {
  rectify: number;
  prevent: number;
  none: number;
}

/** e.g. 软弱涣散村 2 个、重点防控村 1 个、不列入 3 个 (the kinds with none left out; 名单为空 when empty) */
export function listCountsText(c: ListCounts): string {
  const parts = [
    c.rectify > 0 ? `软弱涣散村 ${c.rectify} 个` : '',
    c.prevent > 0 ? `重点防控村 ${c.prevent} 个` : '',
    c.none > 0 ? `不列入 ${c.none} 个` : '',
  ].filter((p) => p !== '');
  return parts.length > 0 ? parts.join('、') : '名单为空';
}

export interface LastStep {
  action: string;
  meeting: string | null;
  meetingDate: string | null;
  documentNo: string | null;
  reason: string | null;
}

/** What the county's step is, and what came before it: the meeting that moved it, or the return. */
export function listWaitingDetail(stage: Stage, counts: ListCounts, last: LastStep | null): string {
  const before =
    last === null
      ? ''
      : last.action === 'return'
        ? `；${last.meeting ?? ''}退回，理由：${last.reason ?? ''}`
        : `；${last.meeting ?? ''} ${last.meetingDate ?? ''} ${last.action === 'propose' ? '研究提交' : '初步认定'}${
            last.documentNo ? `（${last.documentNo}）` : ''
          }`;
  const next = stage === 'proposed' ? '请部务会初步认定或退回乡镇' : '请常委会审定或退回部务会';
  return `${listCountsText(counts)}${before}；${next}`;
}

/** Why the list came back to the township, and what it does next. */
export function listReturnedDetail(last: {
  meeting: string | null;
  meetingDate: string | null;
  reason: string | null;
  at: Date;
}): string {
  return `${last.meeting ?? '县委组织部'} ${last.meetingDate ?? chinaDay(last.at)} 退回，理由：${last.reason ?? ''}；请修改后重新经乡镇党委会研究提交`;
}
