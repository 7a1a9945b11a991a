import { describe, expect, it } from 'vitest';
import {
  DEFAULT_RISK_ITEMS,
  DEFAULT_THRESHOLDS,
  describeRisk,
  listRefusal,
  marksRefusal,
  propose,
  RISK_TYPES,
  riskLevel,
  scoreOf,
  type RiskLevel,
} from '../../server/modules/risk/risk.rules.ts';

describe('riskLevel(score, thresholds)', () => {
  const cases: [number, RiskLevel][] = [
    [0, 'low'],
    [3, 'low'],
    [4, 'middle'],
    [5, 'middle'],
    [7, 'middle'],
    [8, 'high'],
    [9, 'high'],
    [sumWeights(), 'high'],
  ];
  for (const [score, expected] of cases) {
    it(`gives ${expected} for ${score} with the default thresholds 8 / 4`, () => {
      expect(riskLevel(score, DEFAULT_THRESHOLDS)).toBe(expected);
    });
  }
  it('follows the county’s own thresholds, adjacent ones included', () => {
    const t = { highMin: 2, middleMin: 1 };
    expect([0, 1, 2, 3].map((s) => riskLevel(s, t))).toEqual(['low', 'middle', 'high', 'high']);
  });
});

function sumWeights(): number {
  return DEFAULT_RISK_ITEMS.reduce((s, i) => s + i.weight, 0);
}

describe('propose(score, typesHit, thresholds)', () => {
  const t = DEFAULT_THRESHOLDS;
  it('proposes 软弱涣散村 at high risk, none at low risk', () => {
    expect(propose(8, 1, t)).toEqual({ level: 'high', outcome: 'rectify', preventionLevel: null });
    expect(propose(20, 4, t)).toEqual({ level: 'high', outcome: 'rectify', preventionLevel: null });
    expect(propose(3, 2, t)).toEqual({ level: 'low', outcome: 'none', preventionLevel: null });
    expect(propose(0, 0, t)).toEqual({ level: 'low', outcome: 'none', preventionLevel: null });
  });
  it('proposes 重点防控村 at middle risk, the prevention level by the number of types hit', () => {
    expect(propose(4, 1, t)).toEqual({ level: 'middle', outcome: 'prevent', preventionLevel: 3 });
    expect(propose(7, 2, t)).toEqual({ level: 'middle', outcome: 'prevent', preventionLevel: 2 });
    expect(propose(7, 3, t)).toEqual({ level: 'middle', outcome: 'prevent', preventionLevel: 1 });
    expect(propose(7, 4, t)).toEqual({ level: 'middle', outcome: 'prevent', preventionLevel: 1 });
  });
});

describe('scoreOf', () => {
  const items = [
    { id: 1, type: 'party_building' as const, weight: 3 },
    { id: 2, type: 'party_building' as const, weight: 2 },
    { id: 3, type: 'governance' as const, weight: 1 },
  ];
  it('adds the weights of the present items and lists their types once, in the list order', () => {
    expect(
      scoreOf(items, [
        { itemId: 3, present: true, evidence: '信访 5 件' },
        { itemId: 1, present: true, evidence: '会议记录' },
        { itemId: 2, present: false, evidence: '' },
      ]),
    ).toEqual({ score: 4, types: ['party_building', 'governance'] });
    expect(scoreOf(items, [])).toEqual({ score: 0, types: [] });
  });
});

describe('the risk rule in words', () => {
  it('states both lines, the proposals and that the county may change them', () => {
    expect(describeRisk(DEFAULT_THRESHOLDS)).toBe(
      '存在的负面清单项分值合计 8 分及以上为高风险，建议认定为软弱涣散村；4–7 分为中风险，建议认定为重点防控村（涉及 3 类及以上为一级防控，2 类为二级，1 类为三级）；4 分以下为低风险，不作认定（分值和等级线由县委组织部设定，可调整）',
    );
    expect(describeRisk({ highMin: 2, middleMin: 1 })).toContain('1 分为中风险');
  });
});

describe('the default list', () => {
  it('covers the four types with the source’s examples, integer weights 1–3', () => {
    for (const t of RISK_TYPES) expect(DEFAULT_RISK_ITEMS.some((i) => i.type === t)).toBe(true);
    const titles = DEFAULT_RISK_ITEMS.map((i) => i.title);
    expect(titles).toEqual(expect.arrayContaining(['村党组织政治功能不强', '矛盾纠纷多发频发', '移风易俗推进滞后']));
    expect(DEFAULT_RISK_ITEMS.every((i) => Number.isInteger(i.weight) && i.weight >= 1 && i.weight <= 3)).toBe(true);
    expect(listRefusal(DEFAULT_RISK_ITEMS, DEFAULT_THRESHOLDS)).toBeNull();
  });
});

describe('listRefusal and marksRefusal', () => {
  const item = { type: 'integrity' as const, title: '甲', weight: 2 };
  it('refuses an empty or repeated list and disordered thresholds', () => {
    expect(listRefusal([], DEFAULT_THRESHOLDS)?.message).toBe('负面清单至少要有一项');
    expect(listRefusal([item, item], DEFAULT_THRESHOLDS)?.message).toBe('清单项“甲”重复');
    expect(listRefusal([item], { highMin: 4, middleMin: 4 })?.message).toBe('高风险分数线须高于中风险分数线');
    expect(listRefusal([item], { highMin: 4, middleMin: 0 })?.field).toBe('middleMin');
  });
  const items = [
    { id: 1, title: '矛盾纠纷多发频发' },
    { id: 2, title: '信访问题突出' },
  ];
  it('needs every item marked once, and evidence for a present one', () => {
    const ok = [
      { itemId: 1, present: true, evidence: '年内纠纷 12 起' },
      { itemId: 2, present: false, evidence: '' },
    ];
    expect(marksRefusal(items, ok)).toBeNull();
    expect(marksRefusal(items, [{ ...ok[0]!, evidence: '  ' }, ok[1]!])).toEqual({
      field: 'marks.0.evidence',
      message: '“矛盾纠纷多发频发”标为存在，须填写依据',
    });
    expect(marksRefusal(items, [ok[0]!])?.message).toBe('“信访问题突出”尚未标记：每一项都须标为存在或不存在');
    expect(marksRefusal(items, [...ok, ok[1]!])?.message).toBe('清单项“信访问题突出”重复');
    expect(marksRefusal(items, [...ok, { itemId: 7, present: false, evidence: '' }])?.message).toBe(
      '清单项 7 不在本年度负面清单中',
    );
  });
});
