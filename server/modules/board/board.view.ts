// The board as the page, its print and its workbook show it, from the reply as it travels: the
// reply sends each rule text once (`rules`) and leaves out what follows from other fields (labels,
// margin, rate), so it stays small for a county of 1,000 villages (docs/BENCHMARKS.md). Pure, no
// runtime imports from the server: the console and board.sheet both read the board through here.
import { STATE_LABEL } from '../cases/cases.rules.ts';
import { GRADE_LABEL } from '../grading/grading.rules.ts';
import { LEVEL_LABEL } from '../risk/risk.rules.ts';
import { marginOf, ratePermille, STEP_ROLE_LABEL } from './board.rules.ts';
import type { Board, BoardCase, BoardSession, BoardVillage } from './board.schemas.ts';

type Verdict = NonNullable<BoardSession['verdict']>;

export interface VerdictView extends Omit<Verdict, 'ruleId'> {
  /** satisfied − required: below 0 「还差 −margin 票」, from 0 「超出 margin 票」 */
  margin: number;
  /** satisfied × 1000 ÷ denominator, rounded down; null when the denominator is 0 */
  ratePermille: number | null;
  /** the rule set in words */
  rule: string;
}

export interface SessionView extends Omit<BoardSession, 'verdict'> {
  verdict: VerdictView | null;
}

export interface CaseView extends BoardCase {
  stateLabel: string;
}

export type NextStepView = NonNullable<BoardVillage['nextStep']> & { roleLabel: string };

export type FortressView = NonNullable<BoardVillage['fortress']> & { gradeLabel: string };
export type RiskView = NonNullable<BoardVillage['risk']> & { levelLabel: string };

export interface VillageView extends Omit<BoardVillage, 'case' | 'latest' | 'nextStep' | 'fortress' | 'risk'> {
  case: CaseView | null;
  latest: SessionView[];
  nextStep: NextStepView | null;
  fortress: FortressView | null;
  risk: RiskView | null;
}

export interface BoardView extends Omit<Board, 'villages'> {
  villages: VillageView[];
}

/** A verdict with its rule in words, margin and rate (an unknown rule id reads as an empty text). */
export function verdictView(v: Verdict, ruleText: ReadonlyMap<number, string>): VerdictView {
  const { ruleId, ...rest } = v;
  return {
    ...rest,
    margin: marginOf(v.satisfied, v.required),
    ratePermille: ratePermille(v.satisfied, v.denominator),
    rule: ruleText.get(ruleId) ?? '',
  };
}

export function villageView(v: BoardVillage, ruleText: ReadonlyMap<number, string>): VillageView {
  return {
    ...v,
    case: v.case ? { ...v.case, stateLabel: STATE_LABEL[v.case.state] } : null,
    latest: v.latest.map((s) => ({ ...s, verdict: s.verdict ? verdictView(s.verdict, ruleText) : null })),
    nextStep: v.nextStep ? { ...v.nextStep, roleLabel: STEP_ROLE_LABEL[v.nextStep.role] } : null,
    fortress: v.fortress ? { ...v.fortress, gradeLabel: GRADE_LABEL[v.fortress.grade] } : null,
    risk: v.risk ? { ...v.risk, levelLabel: `${LEVEL_LABEL[v.risk.level]}风险` } : null,
  };
}

/** The 村情档案 of the year in words, as the print and the workbook show it: 「94%（必填项已填 17/18）」. */
export const fileText = (f: BoardVillage['file']): string =>
  f ? `${f.percent}%（必填项已填 ${f.filled}/${f.required}）` : '未建档';

/** The 堡垒指数 of the year in words: 「中等村 72/100 分」. */
export const fortressText = (g: FortressView | null): string =>
  g ? `${g.gradeLabel} ${g.total}/${g.maxTotal} 分` : '未评分';

/** The risk level of the year: 「高风险」; 「未排查」 for a 弱村 not yet screened; null when there is nothing to screen. */
export const riskText = (v: Pick<VillageView, 'risk' | 'fortress'>): string | null =>
  v.risk ? v.risk.levelLabel : v.fortress?.grade === 'weak' ? '未排查' : null;

export const ruleTexts = (board: Pick<Board, 'rules'>): Map<number, string> =>
  new Map(board.rules.map((r) => [r.id, r.text]));

export function boardView(board: Board): BoardView {
  const texts = ruleTexts(board);
  return { ...board, villages: board.villages.map((v) => villageView(v, texts)) };
}
