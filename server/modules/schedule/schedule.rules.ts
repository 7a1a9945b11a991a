// Campaign scheduling as pure functions: the time window an official asks for, what a change of
// schedule may touch in each state, the rows of a batch, and what a scheduled run does when its
// job arrives. Times are whole milliseconds since 1970 (integers), compared, never computed with.
import type { SessionStatus } from '../sessions/sessions.rules.ts';

export type ScheduledAction = 'open' | 'close';

/** The furthest ahead a time may be set: a year (a mistyped year is caught, a campaign is not). */
export const MAX_AHEAD_MS = 366 * 24 * 3600_000;
/** Villages in one batch (a county's worth of one township at a time is far below this). */
export const MAX_BATCH = 300;
export const MAX_TITLE = 100;

export interface Window {
  openAt: number | null;
  closeAt: number | null;
}

/**
 * What is wrong with the times asked for, or null. `changed` says which of them are new: a time
 * kept as it was is not re-checked against the clock (a due open of a draft may be a second late).
 */
export function windowProblem(
  w: Window,
  now: number,
  changed: { openAt: boolean; closeAt: boolean } = { openAt: true, closeAt: true },
): string | null {
  if (changed.openAt && w.openAt !== null) {
    if (w.openAt <= now) return '定时开始时间须晚于现在';
    if (w.openAt > now + MAX_AHEAD_MS) return '定时开始时间不能在一年以后';
  }
  if (changed.closeAt && w.closeAt !== null) {
    if (w.closeAt <= now) return '定时结束时间须晚于现在';
    if (w.closeAt > now + MAX_AHEAD_MS) return '定时结束时间不能在一年以后';
  }
  if (w.openAt !== null && w.closeAt !== null && w.closeAt <= w.openAt) return '定时结束时间须晚于定时开始时间';
  return null;
}

/** May the schedule of a session in `status` change from `now` to `next`? null when it may. */
export function scheduleChangeProblem(
  status: SessionStatus,
  current: Window,
  next: Window,
  now: number,
): string | null {
  if (status !== 'draft' && status !== 'open') return '只有草稿或测评中的场次可以修改定时';
  if (status === 'open' && next.openAt !== current.openAt) return '测评已开始，不能再修改开始时间';
  return windowProblem(next, now, {
    openAt: next.openAt !== current.openAt,
    closeAt: next.closeAt !== current.closeAt,
  });
}

/** The session as a scheduled run sees it, under its lock. */
export interface RunView {
  status: SessionStatus;
  scheduledOpenAt: number | null;
  scheduledCloseAt: number | null;
  residentsConfirmed: boolean;
  issued: number;
}

export type RunDecision = { go: true } | { go: false; reason: string | null };

const NOTHING: RunDecision = { go: false, reason: null };

/**
 * What a job for `action` due at `dueAt` does. Nothing (reason null) when the stored time is no
 * longer the one it was made for (changed or cancelled) or the step is already done: so a duplicate
 * delivery, or a job left over from an older time, changes nothing. A reason when it cannot run:
 * recorded and shown as 「定时开始未执行：reason」.
 */
export function runDecision(
  action: ScheduledAction,
  s: RunView,
  dueAt: number,
  schedulerDisabled: boolean,
): RunDecision {
  if (action === 'open') {
    if (s.scheduledOpenAt !== dueAt || s.status !== 'draft') return NOTHING;
    if (schedulerDisabled) return { go: false, reason: '安排定时的账户已停用' };
    if (!s.residentsConfirmed) return { go: false, reason: '在村人数尚未经乡镇确认' };
    if (s.issued === 0) return { go: false, reason: '尚未发放测评票' };
    return { go: true };
  }
  if (s.scheduledCloseAt !== dueAt || (s.status !== 'open' && s.status !== 'draft')) return NOTHING;
  if (s.status === 'draft') return { go: false, reason: '测评尚未开始' };
  if (schedulerDisabled) return { go: false, reason: '安排定时的账户已停用' };
  return { go: true };
}

/** The title of a batch session: the village's name before the title given (titles must differ in lists). */
export function batchTitle(villageName: string, title: string | undefined): string | undefined {
  const t = title?.trim();
  return t ? `${villageName} ${t}` : undefined;
}

export interface BatchRowIn {
  villageId: number;
}

/** The rows asked for twice (their 0-based positions after the first). */
export function duplicateRows(rows: readonly BatchRowIn[]): number[] {
  const seen = new Set<number>();
  const out: number[] = [];
  rows.forEach((r, i) => {
    if (seen.has(r.villageId)) out.push(i);
    seen.add(r.villageId);
  });
  return out;
}
