import { describe, expect, it } from 'vitest';
import {
  DEFAULT_CUTOFFS,
  DEFAULT_SHEET,
  describeGrading,
  grade,
  scoringRefusal,
  sheetRefusal,
  SECTIONS,
  sumMax,
  totalOf,
  type FortressGrade,
} from '../../server/modules/grading/grading.rules.ts';

describe('grade(total, cutoffs)', () => {
  // every cut-off: 0, below, at and above each line, and the maximum
  const cases: [number, FortressGrade][] = [
    [0, 'weak'],
    [1, 'weak'],
    [59, 'weak'],
    [60, 'middle'],
    [61, 'middle'],
    [84, 'middle'],
    [85, 'strong'],
    [86, 'strong'],
    [100, 'strong'],
  ];
  for (const [total, expected] of cases) {
    it(`grades ${total} of 100 as ${expected} with the default cut-offs 85 / 60`, () => {
      expect(grade(total, DEFAULT_CUTOFFS)).toBe(expected);
    });
  }

  it('follows the county’s own cut-offs, adjacent ones included', () => {
    const c = { strongMin: 8, middleMin: 7 };
    expect([6, 7, 8, 9].map((t) => grade(t, c))).toEqual(['weak', 'middle', 'strong', 'strong']);
    const low = { strongMin: 2, middleMin: 1 };
    expect([0, 1, 2].map((t) => grade(t, low))).toEqual(['weak', 'middle', 'strong']);
  });
});

describe('the grading rule in words', () => {
  it('states the lines, the middle band and that the county may change them', () => {
    expect(describeGrading(DEFAULT_CUTOFFS, 100)).toBe(
      '满分 100 分；总分 85 分及以上为强村，60–84 分为中等村，60 分以下为弱村（等次线由县委组织部设定，可调整）',
    );
    expect(describeGrading({ strongMin: 8, middleMin: 7 }, 10)).toBe(
      '满分 10 分；总分 8 分及以上为强村，7 分为中等村，7 分以下为弱村（等次线由县委组织部设定，可调整）',
    );
  });
});

describe('the default sheet', () => {
  it('has ten items totalling 100 under the three 有, each an integer maximum', () => {
    expect(DEFAULT_SHEET).toHaveLength(10);
    expect(sumMax(DEFAULT_SHEET)).toBe(100);
    for (const s of SECTIONS) expect(DEFAULT_SHEET.some((i) => i.section === s)).toBe(true);
    expect(DEFAULT_SHEET.every((i) => Number.isInteger(i.maxScore) && i.maxScore > 0)).toBe(true);
    expect(sheetRefusal(DEFAULT_SHEET, DEFAULT_CUTOFFS)).toBeNull();
  });
});

describe('sheetRefusal', () => {
  const items = [
    { section: 'leadership' as const, title: '甲', maxScore: 50 },
    { section: 'members' as const, title: '乙', maxScore: 50 },
  ];
  it('refuses an empty sheet, a repeated or empty title and disordered or unreachable cut-offs', () => {
    expect(sheetRefusal([], DEFAULT_CUTOFFS)?.message).toBe('评分表至少要有一个评分项');
    expect(sheetRefusal([...items, { ...items[0]!, title: ' 甲 ' }], DEFAULT_CUTOFFS)?.message).toBe('评分项“甲”重复');
    expect(sheetRefusal([{ ...items[0]!, title: '  ' }], { strongMin: 40, middleMin: 20 })).toEqual({
      field: 'items.0.title',
      message: '评分项名称不能为空',
    });
    expect(sheetRefusal(items, { strongMin: 60, middleMin: 60 })?.message).toBe('强村分数线须高于中等村分数线');
    expect(sheetRefusal(items, { strongMin: 101, middleMin: 60 })?.message).toBe(
      '强村分数线（101 分）不能高于满分（100 分）',
    );
    expect(sheetRefusal(items, { strongMin: 100, middleMin: 60 })).toBeNull();
    expect(sheetRefusal(items, { strongMin: 2, middleMin: 0 })?.field).toBe('middleMin');
    expect(sheetRefusal(items, { strongMin: 2, middleMin: 1 })).toBeNull();
  });
});

describe('scoringRefusal', () => {
  const items = [
    { id: 1, title: '书记履职', maxScore: 15 },
    { id: 2, title: '班子团结', maxScore: 10 },
  ];
  const ok = [
    { itemId: 1, score: 15, note: '' },
    { itemId: 2, score: 0, note: '' },
  ];
  it('takes every item once, each from 0 to its maximum', () => {
    expect(scoringRefusal(items, ok)).toBeNull();
    expect(totalOf(ok)).toBe(15);
  });
  it('refuses a score above the maximum, below 0 or not an integer, naming the item', () => {
    const msg = '“书记履职”的得分须为 0 到 15 的整数';
    for (const score of [16, -1, 7.5]) {
      expect(scoringRefusal(items, [{ itemId: 1, score, note: '' }, ok[1]!])).toEqual({
        field: 'items.0.score',
        message: msg,
      });
    }
  });
  it('refuses a missing, repeated or foreign item', () => {
    expect(scoringRefusal(items, [ok[0]!])?.message).toBe('“班子团结”尚未评分：每一项都须评分');
    expect(scoringRefusal(items, [...ok, ok[0]!])?.message).toBe('评分项“书记履职”重复评分');
    expect(scoringRefusal(items, [...ok, { itemId: 9, score: 1, note: '' }])?.message).toBe(
      '评分项 9 不在本年度评分表中',
    );
  });
});
