// The words the board shows for verdicts, margins, rates and turnout (integer arithmetic only).
import { OUTCOME_LABEL } from '../sessions/rules.ts';
import type { BoardVerdict } from './boardApi.ts';
import type { VerdictChoice } from './filters.ts';

export const VERDICT_LABEL: Record<VerdictChoice, string> = { ...OUTCOME_LABEL, none: '暂无结果' };

/** 满意率 from permille, one decimal, e.g. 600 → 60.0%; — when there is no denominator. */
export function rateText(permille: number | null): string {
  return permille === null ? '—' : `${Math.floor(permille / 10)}.${permille % 10}%`;
}

/** How far the satisfied count is from the least that passes the satisfaction checks. */
export function marginText(v: BoardVerdict): string {
  if (v.denominator === 0) return '';
  if (v.margin < 0) return `还差 ${-v.margin} 票`;
  return v.margin === 0 ? '恰好达到' : `超出 ${v.margin} 票`;
}

/** 已投 / 已发放 / 在村人数 of a running session. */
export const turnoutText = (s: { used: number; issued: number; residentsPresent: number }): string =>
  `${s.used} / ${s.issued} / ${s.residentsPresent}`;
