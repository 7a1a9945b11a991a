import { describe, expect, it } from 'vitest';
import {
  decide,
  defaultRuleSet,
  describeRules,
  type RuleSet,
  type TallyInput,
} from '../../server/modules/tallies/tallies.rules.ts';

function tally(residents: number, satisfied: number, other = 0): TallyInput {
  const ballots = satisfied + other;
  return {
    residentsPresent: residents,
    issued: ballots,
    used: ballots,
    ballots,
    gateCounts: { satisfied, unknown: other },
  };
}

const strict = defaultRuleSet();
const inclusive: RuleSet = { ...defaultRuleSet(), majority: 'inclusive' };

describe('the majority rule, exhaustively for residents 0..1000', () => {
  it('strict: passes exactly when 2·satisfied > residents, and says how many more were needed', () => {
    let checked = 0;
    for (let n = 0; n <= 1000; n++) {
      for (let c = 0; c <= n; c++) {
        const v = decide(strict, tally(n, c));
        if (n === 0) {
          expect(v.outcome).toBe('undecidable');
          continue;
        }
        const pass = 2 * c > n;
        if (v.outcome !== (pass ? 'pass' : 'fail')) throw new Error(`strict n=${n} c=${c}: ${v.outcome}`);
        // needed is the least k with 2(c+k) > n
        const k = v.needed;
        if (k < 0 || !(2 * (c + k) > n) || (k > 0 && 2 * (c + k - 1) > n))
          throw new Error(`needed n=${n} c=${c}: ${k}`);
        if (v.satisfied !== c || v.denominator !== n) throw new Error(`counts n=${n} c=${c}`);
        checked++;
      }
    }
    expect(checked).toBe((1000 * 1001) / 2 + 1000);
  });

  it('inclusive: passes exactly when 2·satisfied ≥ residents', () => {
    for (let n = 1; n <= 1000; n++) {
      for (let c = 0; c <= n; c++) {
        const v = decide(inclusive, tally(n, c));
        const pass = 2 * c >= n;
        if (v.outcome !== (pass ? 'pass' : 'fail')) throw new Error(`inclusive n=${n} c=${c}: ${v.outcome}`);
        const k = v.needed;
        if (!(2 * (c + k) >= n) || (k > 0 && 2 * (c + k - 1) >= n)) throw new Error(`needed n=${n} c=${c}: ${k}`);
      }
    }
  });
});

describe('boundaries', () => {
  it('fails at exactly half under the strict rule and passes under the inclusive one (N=200: 101 vs 100)', () => {
    expect(decide(strict, tally(200, 100))).toMatchObject({ outcome: 'fail', needed: 1 });
    expect(decide(strict, tally(200, 101))).toMatchObject({ outcome: 'pass', needed: 0 });
    expect(decide(inclusive, tally(200, 100))).toMatchObject({ outcome: 'pass', needed: 0 });
    expect(decide(inclusive, tally(200, 99))).toMatchObject({ outcome: 'fail', needed: 1 });
  });

  it('treats odd totals alike under both rules (N=5 needs 3)', () => {
    expect(decide(strict, tally(5, 2)).outcome).toBe('fail');
    expect(decide(strict, tally(5, 3)).outcome).toBe('pass');
    expect(decide(inclusive, tally(5, 2)).outcome).toBe('fail');
    expect(decide(inclusive, tally(5, 3)).outcome).toBe('pass');
  });

  it('counts residents who did not vote against the pass', () => {
    // 60 present, 40 voted, all satisfied: 40 > 30 passes; 30 voted all satisfied fails
    expect(decide(strict, tally(60, 40)).outcome).toBe('pass');
    expect(decide(strict, tally(60, 30)).outcome).toBe('fail');
  });

  it('never passes when everyone answers 不了解', () => {
    expect(decide(strict, tally(10, 0, 10))).toMatchObject({ outcome: 'fail', satisfied: 0, needed: 6 });
    expect(decide({ ...strict, denominator: 'valid_ballots' }, tally(10, 0, 10)).outcome).toBe('fail');
  });

  it('counts 满意 and 基本满意 as satisfied, and 不了解 never', () => {
    const t: TallyInput = {
      residentsPresent: 10,
      issued: 10,
      used: 10,
      ballots: 10,
      gateCounts: { satisfied: 3, basic: 3, unknown: 4 },
    };
    expect(decide(strict, t)).toMatchObject({ outcome: 'pass', satisfied: 6 });
  });

  it('gives 无法判定 for a denominator of 0, never a pass', () => {
    const v = decide(strict, tally(0, 0));
    expect(v).toMatchObject({ outcome: 'undecidable', denominator: 0, needed: 0 });
    expect(v.reason).toContain('为 0');
    expect(decide({ ...strict, denominator: 'valid_ballots' }, tally(10, 0)).outcome).toBe('undecidable');
  });

  it('refuses a verdict when ballots and slips do not reconcile', () => {
    const more: TallyInput = { residentsPresent: 10, issued: 8, used: 9, ballots: 9, gateCounts: { satisfied: 9 } };
    expect(decide(strict, more)).toMatchObject({ outcome: 'undecidable' });
    const mismatch: TallyInput = {
      residentsPresent: 10,
      issued: 10,
      used: 8,
      ballots: 9,
      gateCounts: { satisfied: 9 },
    };
    expect(decide(strict, mismatch).reason).toContain('票数核对不符');
    const overIssued: TallyInput = {
      residentsPresent: 5,
      issued: 6,
      used: 6,
      ballots: 6,
      gateCounts: { satisfied: 6 },
    };
    expect(decide(strict, overIssued).outcome).toBe('undecidable');
  });
});

describe('optional checks', () => {
  it('applies a minimum satisfaction rate with integer arithmetic (80% of 101 needs 81)', () => {
    const rules: RuleSet = { ...strict, minRatePercent: 80 };
    expect(decide(rules, tally(101, 80))).toMatchObject({ outcome: 'fail', needed: 1 });
    expect(decide(rules, tally(101, 81))).toMatchObject({ outcome: 'pass', needed: 0 });
    expect(decide(rules, tally(100, 80)).outcome).toBe('pass');
  });

  it('vetoes when 不满意 is more than half of the valid ballots', () => {
    const rules: RuleSet = { ...strict, veto: true, denominator: 'valid_ballots' };
    const base = { residentsPresent: 20, issued: 20, used: 20, ballots: 20 };
    // exactly half dissatisfied: no veto
    expect(
      decide(rules, { ...base, gateCounts: { satisfied: 10, dissatisfied: 10 } }).checks.find((c) => c.name === 'veto')
        ?.passed,
    ).toBe(true);
    const vetoed = decide(rules, { ...base, gateCounts: { satisfied: 9, dissatisfied: 11 } });
    expect(vetoed.outcome).toBe('fail');
    expect(vetoed.checks.find((c) => c.name === 'veto')?.passed).toBe(false);
  });
});

describe('the rule in words', () => {
  it('states the strict default exactly', () => {
    expect(describeRules(strict)).toContain('满意人数（满意＋基本满意）须大于在村人数的一半（恰好一半不通过）');
    expect(describeRules(inclusive)).toContain('恰好一半通过');
    expect(describeRules({ ...strict, minRatePercent: 80, veto: true })).toMatch(/80%.*不满意票超过有效票一半/);
  });
});
