// The register's rules: the decision shown (none while the list is a draft), the page's filters
// with their 'none' choices, the summary's counts, and the types in the list's order.
import { describe, expect, it } from 'vitest';
import {
  decisionOf,
  matches,
  orderedTypes,
  summarize,
  type RegisterRow,
} from '../../server/modules/identification/identification.rules.ts';

const row = (over: Partial<RegisterRow> = {}): RegisterRow => ({
  villageId: 1,
  townshipId: 10,
  townshipName: '甲镇',
  fortress: null,
  risk: null,
  reports: 0,
  decision: null,
  ...over,
});

describe('decisionOf', () => {
  it('is null for a draft list and the stage and outcome at every later stage', () => {
    expect(decisionOf('draft', 'rectify')).toBeNull();
    expect(decisionOf('proposed', 'rectify')).toEqual({ stage: 'proposed', outcome: 'rectify' });
    expect(decisionOf('determined', 'prevent')).toEqual({ stage: 'determined', outcome: 'prevent' });
    expect(decisionOf('approved', 'none')).toEqual({ stage: 'approved', outcome: 'none' });
  });
});

describe('matches', () => {
  const weakHigh = row({
    fortress: { score: 40, grade: 'weak' },
    risk: { types: ['integrity'], level: 'high' },
    decision: { stage: 'determined', outcome: 'rectify' },
  });

  it('passes everything with no filter set', () => {
    expect(matches(row(), {})).toBe(true);
    expect(matches(weakHigh, {})).toBe(true);
  });

  it('filters by township, grade, level, outcome and stage', () => {
    expect(matches(weakHigh, { township: 10 })).toBe(true);
    expect(matches(weakHigh, { township: 11 })).toBe(false);
    expect(matches(weakHigh, { grade: 'weak' })).toBe(true);
    expect(matches(weakHigh, { grade: 'middle' })).toBe(false);
    expect(matches(weakHigh, { level: 'high' })).toBe(true);
    expect(matches(weakHigh, { level: 'low' })).toBe(false);
    expect(matches(weakHigh, { outcome: 'rectify' })).toBe(true);
    expect(matches(weakHigh, { outcome: 'prevent' })).toBe(false);
    expect(matches(weakHigh, { stage: 'determined' })).toBe(true);
    expect(matches(weakHigh, { stage: 'approved' })).toBe(false);
    expect(matches(weakHigh, { grade: 'weak', level: 'high', outcome: 'rectify', stage: 'proposed' })).toBe(false);
  });

  it('picks the villages without a grade, a screening or a decision by their none choice', () => {
    expect(matches(row(), { grade: 'none', level: 'none', outcome: 'undecided', stage: 'none' })).toBe(true);
    expect(matches(weakHigh, { grade: 'none' })).toBe(false);
    expect(matches(weakHigh, { level: 'none' })).toBe(false);
    expect(matches(weakHigh, { outcome: 'undecided' })).toBe(false);
    expect(matches(weakHigh, { stage: 'none' })).toBe(false);
  });
});

describe('summarize', () => {
  it('counts nothing for no villages', () => {
    const { total, townships } = summarize([]);
    expect(total.villages).toBe(0);
    expect(total.grade).toEqual({ strong: 0, middle: 0, weak: 0, none: 0 });
    expect(townships).toEqual([]);
  });

  it('counts by grade, level, type (each type once per village), outcome, approved and reports, per township', () => {
    const rows = [
      row({
        villageId: 1,
        fortress: { score: 40, grade: 'weak' },
        risk: { types: ['integrity', 'governance', 'integrity'], level: 'high' },
        decision: { stage: 'approved', outcome: 'rectify' },
        reports: 2,
      }),
      row({
        villageId: 2,
        fortress: { score: 50, grade: 'weak' },
        risk: { types: ['governance'], level: 'middle' },
        decision: { stage: 'proposed', outcome: 'prevent' },
      }),
      row({ villageId: 3, townshipId: 20, townshipName: '乙乡', fortress: { score: 90, grade: 'strong' }, reports: 1 }),
      row({ villageId: 4, townshipId: 20, townshipName: '乙乡' }),
    ];
    const { total, townships } = summarize(rows);
    expect(total).toEqual({
      villages: 4,
      grade: { strong: 1, middle: 0, weak: 2, none: 1 },
      level: { high: 1, middle: 1, low: 0, none: 2 },
      type: { party_building: 0, integrity: 1, governance: 2, revitalization: 0 },
      outcome: { rectify: 1, prevent: 1, none: 0, undecided: 2 },
      approved: { rectify: 1, prevent: 0, none: 0 },
      reports: 3,
    });
    expect(townships.map((t) => [t.townshipId, t.name, t.villages, t.reports])).toEqual([
      [10, '甲镇', 2, 2],
      [20, '乙乡', 2, 1],
    ]);
    expect(townships[1]?.grade).toEqual({ strong: 1, middle: 0, weak: 0, none: 1 });
  });
});

describe('orderedTypes', () => {
  it('puts the types in the order of the four types, each once, dropping unknown ones', () => {
    expect(orderedTypes(['revitalization', 'party_building', 'governance'])).toEqual([
      'party_building',
      'governance',
      'revitalization',
    ]);
    expect(orderedTypes([])).toEqual([]);
    expect(orderedTypes(['integrity', 'integrity', 'other'])).toEqual(['integrity']);
  });
});
