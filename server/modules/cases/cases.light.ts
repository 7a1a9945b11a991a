// The red/yellow/green light of a case (红黄绿三色亮灯), from its state, deadlines and last step.
// Dates are calendar days in China time (YYYY-MM-DD strings); `today` is a parameter so tests pin it.
import type { CaseState } from './cases.rules.ts';

export type LightColor = 'red' | 'yellow' | 'green';
export interface Light {
  color: LightColor;
  reason: string;
}

export interface LightInput {
  state: CaseState;
  /** YYYY-MM-DD */
  deadline: string;
  /** deadlines (YYYY-MM-DD) of the problems still open */
  openProblemDeadlines: readonly string[];
  /** the last transition of the case, if any */
  lastTransition: { action: string; reason: string | null } | null;
  /** the China-time day the case entered its state */
  stateSince: string;
  /** the case a relist created from this one */
  relistedAs: number | null;
}

export const DEADLINE_WARN_DAYS = 14;
export const PROBLEM_WARN_DAYS = 7;
export const WAIT_WARN_DAYS = 30;

const CHINA_OFFSET_MS = 8 * 3600 * 1000; // Asia/Shanghai has no daylight saving time

/** The calendar day in China at this instant, YYYY-MM-DD. */
export function chinaDay(at: Date = new Date()): string {
  return new Date(at.getTime() + CHINA_OFFSET_MS).toISOString().slice(0, 10);
}

/** Whole days from `a` to `b` (both YYYY-MM-DD): positive when b is later. */
export function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);
}

const WAITING: Partial<Record<CaseState, string>> = {
  applied: '待乡镇初验',
  township_check: '待乡镇初验',
  county_acceptance: '待县级验收',
  city_review: '待市级复盘',
};

function rectifyingLight(input: LightInput, today: string): Light {
  const left = daysBetween(today, input.deadline);
  if (left < 0) return { color: 'red', reason: `整改期限已过 ${-left} 天` };
  const overdue = input.openProblemDeadlines.filter((d) => d < today).length;
  if (overdue > 0) return { color: 'red', reason: `${overdue} 项问题逾期未销号` };
  if (input.lastTransition?.action === 'return') {
    return { color: 'yellow', reason: `验收未通过，已退回整改：${input.lastTransition.reason ?? ''}` };
  }
  if (left <= DEADLINE_WARN_DAYS) {
    return { color: 'yellow', reason: left === 0 ? '今天是整改期限' : `距整改期限还有 ${left} 天` };
  }
  const soon = input.openProblemDeadlines.filter((d) => daysBetween(today, d) <= PROBLEM_WARN_DAYS).length;
  if (soon > 0) return { color: 'yellow', reason: `${soon} 项问题将在 ${PROBLEM_WARN_DAYS} 天内到期` };
  return { color: 'green', reason: '按期推进' };
}

export function lightOf(input: LightInput, today: string): Light {
  if (input.state === 'exited' || input.state === 'monitoring') {
    if (input.relistedAs !== null) {
      return { color: 'yellow', reason: `回头看不达标，已重新列入（案件 ${input.relistedAs}）` };
    }
    return { color: 'green', reason: input.state === 'exited' ? '已退出' : '跟踪回头看中' };
  }
  const waiting = WAITING[input.state];
  if (waiting === undefined) return rectifyingLight(input, today);
  const days = daysBetween(input.stateSince, today);
  if (days > WAIT_WARN_DAYS) return { color: 'yellow', reason: `${waiting}已 ${days} 天` };
  return { color: 'green', reason: waiting };
}

export const LIGHT_ORDER: Record<LightColor, number> = { red: 0, yellow: 1, green: 2 };
