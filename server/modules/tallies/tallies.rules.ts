// The pass rule: one pure function, integer arithmetic only (never floating point).
// DOMAIN.md: 过半数/超过半数 is 2c > N (the default, strict: exactly half fails); 半数以上 read
// literally is 2c >= N (inclusive). A rule set is a list of checks that must all hold. The
// denominator is named; 0 gives 无法判定, never a pass. Reconciliation precedes any verdict.

export type Majority = 'strict' | 'inclusive';
export type Denominator = 'residents_present' | 'valid_ballots';

export interface RuleSet {
  /** the question whose answers decide (DOMAIN.md item 1) */
  gateQuestionId: string;
  /** options of the gate question counted as satisfied: 满意 + 基本满意 by default */
  satisfiedOptionIds: string[];
  dissatisfiedOptionId: string;
  denominator: Denominator;
  majority: Majority;
  /** fail when 不满意 is more than half of the valid ballots */
  veto: boolean;
  /** 满意率 (satisfied ÷ denominator) must reach this many percent; null = no such check */
  minRatePercent: number | null;
}

export function defaultRuleSet(): RuleSet {
  return {
    gateQuestionId: 'q1',
    satisfiedOptionIds: ['satisfied', 'basic'],
    dissatisfiedOptionId: 'dissatisfied',
    denominator: 'residents_present',
    majority: 'strict',
    veto: false,
    minRatePercent: null,
  };
}

export interface TallyInput {
  residentsPresent: number;
  issued: number;
  used: number;
  ballots: number;
  /** answers to the gate question: option id → count (blank answers are simply absent) */
  gateCounts: Record<string, number>;
}

export type Outcome = 'pass' | 'fail' | 'undecidable';

export interface Check {
  name: 'majority' | 'veto' | 'rate';
  passed: boolean;
  text: string;
}

export interface Verdict {
  outcome: Outcome;
  satisfied: number;
  denominator: number;
  /** more satisfied votes that were needed to pass the satisfaction thresholds (0 when met) */
  needed: number;
  /** the whole rule set in words */
  rule: string;
  checks: Check[];
  /** why the verdict is 无法判定, when it is */
  reason: string | null;
}

const DENOMINATOR_LABEL: Record<Denominator, string> = { residents_present: '在村人数', valid_ballots: '有效票数' };

/** The smallest satisfied count that meets the majority check for denominator n. */
export function majorityThreshold(majority: Majority, n: number): number {
  return majority === 'strict' ? Math.floor(n / 2) + 1 : Math.floor((n + 1) / 2);
}

/** The smallest satisfied count c with 100·c ≥ rate·n. */
export function rateThreshold(ratePercent: number, n: number): number {
  return Math.floor((ratePercent * n + 99) / 100);
}

export function describeRules(rules: RuleSet): string {
  const d = DENOMINATOR_LABEL[rules.denominator];
  const parts = [
    rules.majority === 'strict'
      ? `满意人数（满意＋基本满意）须大于${d}的一半（恰好一半不通过）`
      : `满意人数（满意＋基本满意）须达到${d}的一半及以上（恰好一半通过）`,
  ];
  if (rules.minRatePercent !== null) parts.push(`满意率（满意人数÷${d}）须达到 ${rules.minRatePercent}% 及以上`);
  if (rules.veto) parts.push('不满意票超过有效票一半的，不通过');
  parts.push('“不了解”不计为满意');
  return parts.join('；');
}

function reconciliationProblem(t: TallyInput): string | null {
  if (t.ballots !== t.used) return `票数核对不符：有效票 ${t.ballots} 张，已用测评票 ${t.used} 张`;
  if (t.used > t.issued) return `票数核对不符：已用测评票 ${t.used} 张，多于发放的 ${t.issued} 张`;
  if (t.issued > t.residentsPresent)
    return `票数核对不符：发放测评票 ${t.issued} 张，多于在村人数 ${t.residentsPresent} 人`;
  return null;
}

export function decide(rules: RuleSet, tally: TallyInput): Verdict {
  const rule = describeRules(rules);
  const satisfied = rules.satisfiedOptionIds.reduce((sum, id) => sum + (tally.gateCounts[id] ?? 0), 0);
  const valid = Object.values(tally.gateCounts).reduce((sum, n) => sum + n, 0);
  const denominator = rules.denominator === 'residents_present' ? tally.residentsPresent : valid;
  const problem = reconciliationProblem(tally);
  if (problem !== null || denominator === 0) {
    const reason = problem ?? `${DENOMINATOR_LABEL[rules.denominator]}为 0，无法判定`;
    return { outcome: 'undecidable', satisfied, denominator, needed: 0, rule, checks: [], reason };
  }
  const majorityNeed = majorityThreshold(rules.majority, denominator);
  const checks: Check[] = [
    {
      name: 'majority',
      passed: satisfied >= majorityNeed,
      text: `满意 ${satisfied} 人，${DENOMINATOR_LABEL[rules.denominator]} ${denominator} 人，至少需要 ${majorityNeed} 人`,
    },
  ];
  let threshold = majorityNeed;
  if (rules.minRatePercent !== null) {
    const rateNeed = rateThreshold(rules.minRatePercent, denominator);
    threshold = Math.max(threshold, rateNeed);
    checks.push({
      name: 'rate',
      passed: satisfied >= rateNeed,
      text: `满意率须达 ${rules.minRatePercent}%，至少需要 ${rateNeed} 人满意`,
    });
  }
  if (rules.veto) {
    const dissatisfied = tally.gateCounts[rules.dissatisfiedOptionId] ?? 0;
    checks.push({
      name: 'veto',
      passed: !(2 * dissatisfied > valid),
      text: `不满意 ${dissatisfied} 票，有效票 ${valid} 张`,
    });
  }
  const outcome: Outcome = checks.every((c) => c.passed) ? 'pass' : 'fail';
  return { outcome, satisfied, denominator, needed: Math.max(0, threshold - satisfied), rule, checks, reason: null };
}

export const OUTCOME_LABEL: Record<Outcome, string> = { pass: '通过', fail: '未通过', undecidable: '无法判定' };
