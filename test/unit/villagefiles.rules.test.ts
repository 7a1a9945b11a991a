// 村情档案 rules at their boundaries: value bounds, 万元 ↔ 元 exactly, cross-field checks,
// completeness (0, one short of all, all; floor, never rounded up), the diff and the carry-forward.
import { describe, expect, it } from 'vitest';
import {
  ASPECTS,
  carryForward,
  checkData,
  checkValue,
  completeness,
  diff,
  FIELD_BY_KEY,
  FIELDS,
  parseCell,
  percentOf,
  wanText,
  yuanOfWan,
  type FieldDef,
  type FileData,
} from '../../server/modules/villagefiles/villagefiles.rules.ts';

const field = (key: string) => FIELD_BY_KEY.get(key) as FieldDef;
const REQUIRED = FIELDS.filter((f) => f.required);

/** A valid file with every field filled. */
function fullFile(): FileData {
  const data: FileData = {};
  for (const f of FIELDS) {
    if (f.kind === 'text' || f.kind === 'note') data[f.key] = '张三';
    else data[f.key] = f.min + 1;
  }
  Object.assign(data, { members: 6, membersUpTo35: 1, members36To60: 2, membersOver60: 3 });
  Object.assign(data, { income: 500_000, operatingIncome: 120_000, disputes: 4, disputesResolved: 4 });
  return data;
}

describe('the catalogue', () => {
  it('puts every field under one of the five aspects of seed 003, with unique keys', () => {
    expect(ASPECTS.map((a) => a.label)).toEqual([
      '村情概况',
      '村干部队伍',
      '村党组织和党员队伍',
      '村集体经济',
      '村级治理',
    ]);
    expect(new Set(FIELDS.map((f) => f.key)).size).toBe(FIELDS.length);
    for (const a of ASPECTS) expect(FIELDS.filter((f) => f.aspect === a.key && f.required).length).toBeGreaterThan(0);
  });
});

describe('values', () => {
  it('takes a count from its minimum to its maximum and nothing outside', () => {
    const f = field('households');
    expect(checkValue(f, 0)).toEqual({ value: 0 });
    expect(checkValue(f, f.max)).toEqual({ value: f.max });
    expect(checkValue(f, f.max + 1).error).toBe('应为 0 至 100000 之间的整数');
    expect(checkValue(f, -1).error).toBeDefined();
    expect(checkValue(f, 1.5).error).toBeDefined();
    expect(checkValue(f, '12').error).toBeDefined();
    expect(checkValue(field('secretaryAge'), 17).error).toBe('应为 18 至 100 之间的整数');
    expect(checkValue(field('secretaryAge'), 18)).toEqual({ value: 18 });
  });

  it('treats null, undefined and empty text as not filled', () => {
    expect(checkValue(field('households'), null)).toEqual({});
    expect(checkValue(field('households'), undefined)).toEqual({});
    expect(checkValue(field('secretaryName'), '   ')).toEqual({});
  });

  it('limits text by characters, not bytes, and keeps line breaks out of a one-line field', () => {
    const name = field('secretaryName');
    expect(checkValue(name, '张'.repeat(32))).toEqual({ value: '张'.repeat(32) });
    expect(checkValue(name, '张'.repeat(33)).error).toBe('不能超过 32 个字');
    expect(checkValue(name, '张\n三').error).toBe('不能含换行等控制字符');
    expect(checkValue(field('overviewNote'), '第一行\n第二行')).toEqual({ value: '第一行\n第二行' });
  });

  it('converts 万元 to 元 and back exactly, with at most four decimals', () => {
    expect(yuanOfWan('0')).toBe(0);
    expect(yuanOfWan('12.3456')).toBe(123_456);
    expect(yuanOfWan('0.0001')).toBe(1);
    expect(yuanOfWan('5.1')).toBe(51_000);
    expect(yuanOfWan('1.00001')).toBeNull();
    expect(yuanOfWan('-1')).toBeNull();
    expect(yuanOfWan('1e3')).toBeNull();
    expect(wanText(123_456)).toBe('12.3456');
    expect(wanText(50_000)).toBe('5');
    expect(wanText(51_000)).toBe('5.1');
    expect(wanText(1)).toBe('0.0001');
    expect(wanText(0)).toBe('0');
    for (const y of [0, 1, 9_999, 10_000, 10_001, 123_456_789]) expect(yuanOfWan(wanText(y))).toBe(y);
  });

  it('reads spreadsheet cells: digits with separators, money in 万元, and says what is wrong', () => {
    expect(parseCell(field('households'), ' 1,234 ')).toEqual({ value: 1234 });
    expect(parseCell(field('households'), '')).toEqual({});
    expect(parseCell(field('households'), '12.5').error).toBe('应为 0 至 100000 之间的整数');
    expect(parseCell(field('households'), '十二').error).toBeDefined();
    expect(parseCell(field('income'), '35.2')).toEqual({ value: 352_000 });
    expect(parseCell(field('income'), '1000000')).toEqual({ value: 10_000_000_000 });
    expect(parseCell(field('income'), '1000000.0001').error).toBe(
      '应为 0 至 1000000 之间的金额（万元，最多 4 位小数）',
    );
    expect(parseCell(field('income'), '3.14159').error).toBeDefined();
  });
});

describe('checkData', () => {
  it('accepts a full, consistent file', () => {
    expect(checkData(fullFile())).toEqual({ data: fullFile(), errors: [] });
  });

  it('names every bad field and an unknown one', () => {
    const { errors } = checkData({ households: -1, registered: 'x', nosuch: 1 });
    expect(errors).toEqual([
      { field: 'households', message: '户数应为 0 至 100000 之间的整数' },
      { field: 'registered', message: '户籍人口应为 0 至 1000000 之间的整数' },
      { field: 'nosuch', message: '没有名为 nosuch 的档案项目' },
    ]);
  });

  it('requires the party members to equal the sum of the three age groups, once all four are given', () => {
    const base = { members: 10, membersUpTo35: 3, members36To60: 4 };
    expect(checkData({ ...base, membersOver60: 3 }).errors).toEqual([]);
    expect(checkData({ ...base, membersOver60: 2 }).errors).toEqual([
      { field: 'members', message: '党员数（10）应等于三个年龄段党员之和（9）' },
    ]);
    expect(checkData({ ...base, membersOver60: 4 }).errors).toHaveLength(1);
    expect(checkData(base).errors).toEqual([]);
  });

  it('keeps a part within its whole, equal allowed', () => {
    expect(checkData({ income: 100, operatingIncome: 100 }).errors).toEqual([]);
    expect(checkData({ income: 100, operatingIncome: 101 }).errors).toEqual([
      { field: 'operatingIncome', message: '经营性收入不能大于村集体经济收入' },
    ]);
    expect(checkData({ disputes: 3, disputesResolved: 3 }).errors).toEqual([]);
    expect(checkData({ disputes: 3, disputesResolved: 4 }).errors).toEqual([
      { field: 'disputesResolved', message: '已化解的矛盾纠纷数不能大于年内矛盾纠纷数' },
    ]);
  });
});

describe('completeness', () => {
  it('rounds down: 100 only when every required field is filled', () => {
    expect(percentOf(0, 18)).toBe(0);
    expect(percentOf(17, 18)).toBe(94);
    expect(percentOf(1, 3)).toBe(33);
    expect(percentOf(2, 3)).toBe(66);
    expect(percentOf(199, 200)).toBe(99);
    expect(percentOf(18, 18)).toBe(100);
    expect(percentOf(0, 0)).toBe(100);
  });

  it('counts required fields only, per file and per aspect', () => {
    const empty = completeness({});
    expect(empty).toMatchObject({ filled: 0, required: REQUIRED.length, percent: 0 });
    expect(empty.aspects.map((a) => a.percent)).toEqual([0, 0, 0, 0, 0]);
    const full = completeness(fullFile());
    expect(full).toMatchObject({ filled: REQUIRED.length, required: REQUIRED.length, percent: 100 });
    const notesOnly = completeness({ overviewNote: '说明', partyNote: '说明' });
    expect(notesOnly.filled).toBe(0);
    const oneShort = { ...fullFile() };
    delete oneShort.households;
    const c = completeness(oneShort);
    expect(c.filled).toBe(REQUIRED.length - 1);
    expect(c.percent).toBe(Math.floor((100 * (REQUIRED.length - 1)) / REQUIRED.length));
    expect(c.percent).toBeLessThan(100);
    const overview = c.aspects.find((a) => a.aspect === 'overview');
    expect(overview).toEqual({ aspect: 'overview', label: '村情概况', filled: 3, required: 4, percent: 75 });
    expect(c.aspects.filter((a) => a.percent === 100)).toHaveLength(4);
  });

  it('counts a zero as filled', () => {
    expect(completeness({ disputes: 0 }).filled).toBe(1);
  });
});

describe('diff and carry-forward', () => {
  it('lists each changed field once, in catalogue order, with null for not filled', () => {
    expect(diff({ households: 1, petitions: 2 }, { households: 1, petitions: 3, registered: 9 })).toEqual([
      { field: 'registered', from: null, to: 9 },
      { field: 'petitions', from: 2, to: 3 },
    ]);
    expect(diff({ households: 1 }, {})).toEqual([{ field: 'households', from: 1, to: null }]);
    expect(diff(fullFile(), fullFile())).toEqual([]);
  });

  it("starts the new year from last year's stocks, not last year's own figures", () => {
    const next = carryForward(fullFile());
    for (const key of ['income', 'operatingIncome', 'disputes', 'disputesResolved', 'petitions']) {
      expect(next[key]).toBeUndefined();
    }
    expect(next.households).toBe(fullFile().households);
    expect(next.members).toBe(6);
    expect(next.overviewNote).toBe('张三');
    expect(completeness(next).percent).toBeLessThan(100);
  });
});
