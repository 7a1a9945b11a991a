// 年度排查 (the annual screening round): when a village counts as screened for the year, the
// coverage of a set of villages, and whether the county may conclude the round. Pure, no I/O.
// No runtime imports from the server: the console imports the labels from this file.
//
// Seed 003: every village in scope is graded by the 堡垒指数 (正向测评) and every weak one is
// screened against the negative list (负向测评); 应纳尽纳, no village may be left out. A village
// counts as screened for year Y when it has a grade for Y (the latest row counts) and, when that
// grade is 弱村, a risk screening for Y (any trigger: the weak grade or a department report).

export type Grade = 'strong' | 'middle' | 'weak';
export type ScreeningState = 'screened' | 'ungraded' | 'unscreened_weak';

/** Why a village is missing, in words (the coverage table and the refusal name these). */
export const MISSING_LABEL: Record<Exclude<ScreeningState, 'screened'>, string> = {
  ungraded: '未评定',
  unscreened_weak: '弱村未排查',
};

export const ROUND_STATUS_LABEL: Record<'open' | 'concluded', string> = { open: '进行中', concluded: '已完成' };

/** THE rule: a village without a grade is 未评定; a weak one without a screening is 弱村未排查. */
export function screeningState(grade: Grade | null, hasScreening: boolean): ScreeningState {
  if (grade === null) return 'ungraded';
  if (grade === 'weak' && !hasScreening) return 'unscreened_weak';
  return 'screened';
}

export interface Coverage {
  screened: number;
  total: number;
}

/** How many of these villages are screened, out of how many. */
export function coverageOf(states: readonly ScreeningState[]): Coverage {
  return { screened: states.filter((s) => s === 'screened').length, total: states.length };
}

/** Whole percent, rounded down (99.9 % shows as 99, never as a complete 100); 0 villages → 100. */
export function coveragePercent(c: Coverage): number {
  if (c.total === 0) return 100;
  return Math.floor((c.screened * 100) / c.total);
}

export interface TownshipCoverage extends Coverage {
  name: string;
}

/** Why the county may not conclude the round yet (应纳尽纳), or null when every village is screened.
 * Names the number of missing villages and the townships where they are, in the given order. */
export function concludeRefusal(townships: readonly TownshipCoverage[]): string | null {
  const short = townships.filter((t) => t.screened < t.total);
  if (short.length === 0) return null;
  const missing = short.reduce((n, t) => n + (t.total - t.screened), 0);
  const where = short.map((t) => `${t.name} ${t.total - t.screened} 个`).join('、');
  return `还有 ${missing} 个村未完成排查（${where}），应纳尽纳，全部完成后才能结束本年度排查`;
}
