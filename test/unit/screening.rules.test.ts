// 年度排查 rules: when a village counts as screened, coverage, and the refusal to conclude a round
// while any village is missing (应纳尽纳).
import { describe, expect, it } from 'vitest';
import {
  concludeRefusal,
  coverageOf,
  coveragePercent,
  screeningState,
  type Grade,
  type ScreeningState,
} from '../../server/modules/screening/screening.rules.ts';

describe('screeningState(grade, hasScreening)', () => {
  const cases: [Grade | null, boolean, ScreeningState][] = [
    [null, false, 'ungraded'],
    [null, true, 'ungraded'],
    ['weak', false, 'unscreened_weak'],
    ['weak', true, 'screened'],
    ['middle', false, 'screened'],
    ['middle', true, 'screened'],
    ['strong', false, 'screened'],
    ['strong', true, 'screened'],
  ];
  for (const [grade, has, expected] of cases) {
    it(`is ${expected} for grade ${grade ?? 'none'} ${has ? 'with' : 'without'} a screening`, () => {
      expect(screeningState(grade, has)).toBe(expected);
    });
  }
});

describe('coverageOf(states)', () => {
  it('is 0 of 0 for no villages', () => {
    expect(coverageOf([])).toEqual({ screened: 0, total: 0 });
  });
  it('counts only screened villages, out of all', () => {
    expect(coverageOf(['screened'])).toEqual({ screened: 1, total: 1 });
    expect(coverageOf(['ungraded'])).toEqual({ screened: 0, total: 1 });
    expect(coverageOf(['unscreened_weak'])).toEqual({ screened: 0, total: 1 });
    expect(coverageOf(['screened', 'ungraded', 'unscreened_weak', 'screened'])).toEqual({ screened: 2, total: 4 });
  });
});

describe('coveragePercent', () => {
  it('is 100 for no villages, 0 for none screened, 100 only when all are', () => {
    expect(coveragePercent({ screened: 0, total: 0 })).toBe(100);
    expect(coveragePercent({ screened: 0, total: 3 })).toBe(0);
    expect(coveragePercent({ screened: 3, total: 3 })).toBe(100);
  });
  it('rounds down, so one missing village of a thousand still shows 99', () => {
    expect(coveragePercent({ screened: 999, total: 1000 })).toBe(99);
    expect(coveragePercent({ screened: 1, total: 3 })).toBe(33);
    expect(coveragePercent({ screened: 2, total: 3 })).toBe(66);
  });
});

describe('concludeRefusal(townships)', () => {
  it('allows concluding when every township is complete, and with no townships', () => {
    expect(concludeRefusal([])).toBeNull();
    expect(concludeRefusal([{ name: '东山乡', screened: 4, total: 4 }])).toBeNull();
    expect(concludeRefusal([{ name: '空乡', screened: 0, total: 0 }])).toBeNull();
  });
  it('refuses with one village missing, naming the count and the township', () => {
    expect(
      concludeRefusal([
        { name: '东山乡', screened: 4, total: 4 },
        { name: '西河乡', screened: 2, total: 3 },
      ]),
    ).toBe('还有 1 个村未完成排查（西河乡 1 个），应纳尽纳，全部完成后才能结束本年度排查');
  });
  it('sums the missing villages over townships and names each short township in order', () => {
    expect(
      concludeRefusal([
        { name: '西河乡', screened: 0, total: 3 },
        { name: '东山乡', screened: 4, total: 4 },
        { name: '南坪镇', screened: 3, total: 5 },
      ]),
    ).toBe('还有 5 个村未完成排查（西河乡 3 个、南坪镇 2 个），应纳尽纳，全部完成后才能结束本年度排查');
  });
});
