// The board as the page, its print and its workbook show it, from the reply as it travels: the
// reply sends each rule text once (`rules`) and leaves out what follows from other fields (labels,
// margin, rate), so it stays small for a county of 1,000 villages (docs/BENCHMARKS.md). Pure, no
// runtime imports from the server: the console and board.sheet both read the board through here.
import { STATE_LABEL } from '../cases/cases.rules.ts';
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

export interface VillageView extends Omit<BoardVillage, 'case' | 'latest' | 'nextStep'> {
  case: CaseView | null;
  latest: SessionView[];
  nextStep: NextStepView | null;
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
  };
}

export const ruleTexts = (board: Pick<Board, 'rules'>): Map<number, string> =>
  new Map(board.rules.map((r) => [r.id, r.text]));

export function boardView(board: Board): BoardView {
  const texts = ruleTexts(board);
  return { ...board, villages: board.villages.map((v) => villageView(v, texts)) };
}
