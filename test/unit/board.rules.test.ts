import { describe, expect, it } from 'vitest';
import { ROLE_LABEL } from '../../server/lib/access.ts';
import {
  marginOf,
  marginText,
  NEXT_ACTIONS,
  nextStepOf,
  permilleText,
  ratePermille,
  requiredSatisfied,
  RUNNER_OF_KIND,
  sessionStep,
  STEP_ROLE_LABEL,
  type StepCase,
  type StepSession,
} from '../../server/modules/board/board.rules.ts';
import { NextActionSchema } from '../../server/modules/board/board.schemas.ts';
import type { CaseState } from '../../server/modules/cases/cases.rules.ts';
import { KINDS_RUN_BY, SESSION_KINDS } from '../../server/modules/sessions/sessions.rules.ts';
import { decide, defaultRuleSet, type RuleSet } from '../../server/modules/tallies/tallies.rules.ts';

const VARIANTS: RuleSet[] = [];
for (const majority of ['strict', 'inclusive'] as const) {
  for (const minRatePercent of [null, 1, 33, 50, 51, 60, 67, 99, 100]) {
    for (const denominator of ['residents_present', 'valid_ballots'] as const) {
      for (const veto of [false, true]) {
        VARIANTS.push({ ...defaultRuleSet(), majority, minRatePercent, denominator, veto });
      }
    }
  }
}

describe('requiredSatisfied', () => {
  it('agrees with decide for every denominator 0..200, every satisfied count and every rule set variant', () => {
    let checked = 0;
    for (const rules of VARIANTS) {
      for (let n = 0; n <= 200; n++) {
        const required = requiredSatisfied(rules, n);
        for (let c = 0; c <= n; c++) {
          // everyone voted: c satisfied, the rest 不了解 (never 不满意, so the veto never trips)
          const v = decide(rules, {
            residentsPresent: n,
            issued: n,
            used: n,
            ballots: n,
            gateCounts: { satisfied: c, unknown: n - c },
          });
          const meets = c >= required;
          if (n === 0 ? v.outcome !== 'undecidable' || meets : v.outcome !== (meets ? 'pass' : 'fail')) {
            throw new Error(`${JSON.stringify(rules)} n=${n} c=${c}: ${v.outcome}, required ${required}`);
          }
          if (n > 0 && v.needed !== Math.max(0, required - c)) throw new Error(`needed n=${n} c=${c}: ${v.needed}`);
          checked++;
        }
      }
    }
    expect(checked).toBe(VARIANTS.length * 20301);
  });

  it('at the boundaries: exactly half fails the strict majority and passes the inclusive one', () => {
    const strict = defaultRuleSet();
    const inclusive = { ...strict, majority: 'inclusive' as const };
    expect([0, 1, 2, 3, 10, 11].map((n) => requiredSatisfied(strict, n))).toEqual([1, 1, 2, 2, 6, 6]);
    expect([0, 1, 2, 3, 10, 11].map((n) => requiredSatisfied(inclusive, n))).toEqual([1, 1, 1, 2, 5, 6]);
    // the rate check raises it: 67% of 10 is 7 (6.7 rounded up), of 3 is 3 (2.01 rounded up)
    expect(requiredSatisfied({ ...strict, minRatePercent: 67 }, 10)).toBe(7);
    expect(requiredSatisfied({ ...strict, minRatePercent: 67 }, 3)).toBe(3);
    // and never lowers it
    expect(requiredSatisfied({ ...strict, minRatePercent: 10 }, 10)).toBe(6);
  });
});

describe('margin and rate', () => {
  it('margin is satisfied − required, in words 还差 / 恰好达到 / 超出', () => {
    expect(marginOf(5, 6)).toBe(-1);
    expect(marginOf(6, 6)).toBe(0);
    expect(marginOf(9, 6)).toBe(3);
    expect([-1, 0, 3].map(marginText)).toEqual(['还差 1 票', '恰好达到', '超出 3 票']);
  });

  it('the rate is in tenths of a percent rounded down, and null without a denominator', () => {
    expect(ratePermille(0, 0)).toBeNull();
    expect(ratePermille(0, 5)).toBe(0);
    expect(ratePermille(1, 3)).toBe(333);
    expect(ratePermille(2, 3)).toBe(666);
    expect(ratePermille(161, 320)).toBe(503);
    expect(ratePermille(7, 7)).toBe(1000);
    expect([null, 0, 5, 503, 1000].map(permilleText)).toEqual(['—', '0.0%', '0.5%', '50.3%', '100.0%']);
  });
});

const T0 = '2026-03-01T00:00:00.000Z';
const LATER = '2026-04-01T00:00:00.000Z';
const EARLIER = '2026-02-01T00:00:00.000Z';

function session(over: Partial<StepSession> = {}): StepSession {
  return {
    id: 7,
    kind: 'self_evaluation',
    status: 'draft',
    residentsConfirmed: true,
    issued: 0,
    outcome: null,
    closedAt: null,
    ...over,
  };
}
const closed = (outcome: 'pass' | 'fail' | 'undecidable', over: Partial<StepSession> = {}) =>
  session({ status: 'closed', outcome, closedAt: LATER, ...over });
const kase = (state: CaseState, stageSession: StepSession | null = null, over: Partial<StepCase> = {}): StepCase => ({
  state,
  relistedAs: null,
  stepSince: T0,
  stageSession,
  ...over,
});
const brief = (c: StepCase | null, latest: StepSession[] = []) => {
  const s = nextStepOf(c, latest);
  return s && [s.action, s.role];
};

describe('nextStepOf', () => {
  it('without a case: the first draft or open session waits, nothing else does', () => {
    expect(brief(null)).toBeNull();
    expect(brief(null, [closed('pass')])).toBeNull();
    expect(brief(null, [session({ residentsConfirmed: false })])).toEqual(['confirm_residents', 'township']);
    expect(brief(null, [closed('fail'), session({ kind: 'township_check', status: 'open' })])).toEqual([
      'close',
      'township',
    ]);
  });

  it('a draft: the township confirms the residents, then the runner opens (issuing slips first when none are)', () => {
    expect(nextStepOf(null, [session({ residentsConfirmed: false })])).toMatchObject({
      action: 'confirm_residents',
      label: '确认在村人数',
      role: 'township',
      roleLabel: '乡镇党委',
      sessionId: 7,
    });
    expect(nextStepOf(null, [session()])).toMatchObject({
      action: 'open',
      label: '发放测评票，开始测评',
      role: 'village',
    });
    expect(nextStepOf(null, [session({ issued: 5 })])).toMatchObject({ action: 'open', label: '开始测评' });
    expect(nextStepOf(null, [session({ kind: 'county_callback', issued: 5 })])).toMatchObject({ role: 'county' });
    expect(sessionStep(session({ status: 'certified' }))).toBeNull();
    expect(sessionStep(session({ status: 'void' }))).toBeNull();
  });

  it('states that wait for one step', () => {
    expect(brief(kase('listed'))).toEqual(['start', 'township']);
    expect(brief(kase('rectifying'))).toEqual(['request_evaluation', 'village']);
    expect(brief(kase('applied'))).toEqual(['receive', 'township']);
    expect(brief(kase('city_review'))).toEqual(['city_pass', 'city']);
    expect(brief(kase('exited'))).toEqual(['monitor', 'county']);
    // a case's step comes before a loose session's
    expect(brief(kase('rectifying'), [session({ status: 'open' })])).toEqual(['request_evaluation', 'village']);
  });

  it('village evaluation: create, run, then apply on a pass or return on a fail', () => {
    expect(nextStepOf(kase('village_evaluation'), [])).toMatchObject({
      action: 'create_session',
      label: '组织村级自评测评',
      role: 'village',
      kind: 'self_evaluation',
      sessionId: null,
    });
    expect(brief(kase('village_evaluation', session({ residentsConfirmed: false })))).toEqual([
      'confirm_residents',
      'township',
    ]);
    expect(brief(kase('village_evaluation', session({ status: 'open' })))).toEqual(['close', 'village']);
    expect(brief(kase('village_evaluation', closed('pass')))).toEqual(['apply', 'village']);
    expect(brief(kase('village_evaluation', closed('pass', { status: 'certified' })))).toEqual(['apply', 'village']);
    expect(brief(kase('village_evaluation', closed('fail')))).toEqual(['return', 'village']);
    expect(brief(kase('village_evaluation', closed('undecidable')))).toEqual(['return', 'village']);
  });

  it('a session closed before the case’s last step was already acted on: a new one is needed', () => {
    const old = closed('fail', { closedAt: EARLIER });
    expect(brief(kase('village_evaluation', old))).toEqual(['create_session', 'village']);
    // closed at the very instant of the step still counts
    expect(brief(kase('village_evaluation', closed('pass', { closedAt: T0 })))).toEqual(['apply', 'village']);
    expect(brief(kase('monitoring', closed('pass', { kind: 'look_back', closedAt: EARLIER })))).toEqual([
      'create_session',
      'county',
    ]);
  });

  it('township check, county acceptance and look-back', () => {
    expect(brief(kase('township_check'))).toEqual(['township_pass', 'township']);
    expect(brief(kase('township_check', closed('pass', { kind: 'township_check' })))).toEqual([
      'township_pass',
      'township',
    ]);
    expect(brief(kase('township_check', closed('fail', { kind: 'township_check' })))).toEqual(['return', 'township']);
    expect(brief(kase('township_check', session({ kind: 'township_check', status: 'open' })))).toEqual([
      'close',
      'township',
    ]);
    expect(nextStepOf(kase('county_acceptance'), [])).toMatchObject({
      action: 'create_session',
      label: '组织县级回访测评',
      role: 'county',
      kind: 'county_callback',
    });
    expect(brief(kase('county_acceptance', closed('pass', { kind: 'county_callback' })))).toEqual([
      'county_pass',
      'county',
    ]);
    expect(brief(kase('county_acceptance', closed('fail', { kind: 'county_callback' })))).toEqual(['return', 'county']);
    expect(nextStepOf(kase('monitoring'), [])).toMatchObject({ action: 'create_session', label: '组织回头看测评' });
    expect(brief(kase('monitoring', closed('pass', { kind: 'look_back' })))).toEqual(['lookback_pass', 'county']);
    expect(brief(kase('monitoring', closed('fail', { kind: 'look_back' })))).toEqual(['relist', 'county']);
  });

  it('a re-listed case has no next step (the new case carries on)', () => {
    expect(brief(kase('monitoring', null, { relistedAs: 9 }))).toBeNull();
  });
});

describe('the tables agree with the rest of the service', () => {
  it('role labels are the accounts’ role labels', () => {
    for (const [role, label] of Object.entries(STEP_ROLE_LABEL)) {
      expect(label).toBe(ROLE_LABEL[role as keyof typeof ROLE_LABEL]);
    }
  });

  it('the runner of a kind is the lowest level that runs it', () => {
    const levels = ['village', 'township', 'county', 'city'] as const;
    for (const kind of SESSION_KINDS) {
      expect(RUNNER_OF_KIND[kind]).toBe(levels.find((r) => KINDS_RUN_BY[r].includes(kind)));
    }
  });

  it('the response schema lists exactly the actions', () => {
    const literals = (NextActionSchema as unknown as { anyOf: { const: string }[] }).anyOf.map((s) => s.const);
    expect(literals).toEqual([...NEXT_ACTIONS]);
  });
});
