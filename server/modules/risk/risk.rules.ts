// 负向测评 (the risk negative list): the risk level of a screening, the proposed outcome, the rule in
// words, the shipped default list and the checks on a list and a screening. Pure, integer arithmetic.
// No runtime imports from the server: the console imports the labels from this file.
//
// The source (Xining 2024) names the four types, a few example problems (政治功能不强, 矛盾纠纷多发频发,
// 移风易俗推进滞后) and says villages are identified "by problem type and risk level"; it gives no
// weights or thresholds. DEFAULT_RISK_ITEMS and DEFAULT_THRESHOLDS are this service's editable
// defaults. The outcome is a proposal: the three-level decision (issue 10 item 5) decides.

export const RISK_TYPES = ['party_building', 'integrity', 'governance', 'revitalization'] as const;
export type RiskType = (typeof RISK_TYPES)[number];
export const RISK_TYPE_LABEL: Record<RiskType, string> = {
  party_building: '基层党建薄弱村',
  integrity: '党风廉政关注村',
  governance: '村级治理困难村',
  revitalization: '乡村振兴滞后村',
};

export type RiskLevel = 'high' | 'middle' | 'low';
export const LEVEL_LABEL: Record<RiskLevel, string> = { high: '高', middle: '中', low: '低' };

export type Outcome = 'rectify' | 'prevent' | 'none';
export const OUTCOME_LABEL: Record<Outcome, string> = {
  rectify: '软弱涣散村（列入整顿）',
  prevent: '重点防控村',
  none: '不作认定',
};

/** 防控措施等级: 1 is the strictest. */
export const PREVENTION_LABEL: Record<1 | 2 | 3, string> = { 1: '一级', 2: '二级', 3: '三级' };

export interface Thresholds {
  /** 高风险: score at or above */
  highMin: number;
  /** 中风险: score at or above (and below highMin) */
  middleMin: number;
}

export const DEFAULT_THRESHOLDS: Thresholds = { highMin: 8, middleMin: 4 };

export interface ListItem {
  type: RiskType;
  title: string;
  /** severity: 1 一般, 2 较重, 3 严重 in the defaults; the county may use up to 10 */
  weight: number;
}

export const DEFAULT_RISK_ITEMS: readonly ListItem[] = [
  { type: 'party_building', title: '村党组织政治功能不强', weight: 3 },
  { type: 'party_building', title: '村“两委”班子不团结、战斗力不强', weight: 3 },
  { type: 'party_building', title: '“三会一课”等组织生活不规范', weight: 2 },
  { type: 'party_building', title: '党员队伍老化、后备力量不足', weight: 1 },
  { type: 'integrity', title: '村干部有违纪违法问题线索', weight: 3 },
  { type: 'integrity', title: '党务、村务、财务公开不规范', weight: 2 },
  { type: 'integrity', title: '“四议两公开”落实不到位', weight: 2 },
  { type: 'governance', title: '矛盾纠纷多发频发', weight: 3 },
  { type: 'governance', title: '信访问题突出', weight: 2 },
  { type: 'governance', title: '社会治安问题突出', weight: 2 },
  { type: 'revitalization', title: '村集体经济薄弱（年收益 5 万元以下）', weight: 2 },
  { type: 'revitalization', title: '产业发展缓慢', weight: 2 },
  { type: 'revitalization', title: '移风易俗推进滞后', weight: 1 },
  { type: 'revitalization', title: '人居环境整治滞后', weight: 1 },
];

/** The risk level: the sum of the weights of the items found present, against the thresholds. */
export function riskLevel(score: number, t: Thresholds): RiskLevel {
  if (score >= t.highMin) return 'high';
  if (score >= t.middleMin) return 'middle';
  return 'low';
}

export interface Proposal {
  level: RiskLevel;
  outcome: Outcome;
  /** 重点防控村 only: 1 when items of three or more types are present, 2 for two types, 3 for one */
  preventionLevel: 1 | 2 | 3 | null;
}

/** THE proposal: 高 → 软弱涣散村; 中 → 重点防控村 with a prevention level by the number of types hit; 低 → none. */
export function propose(score: number, typesHit: number, t: Thresholds): Proposal {
  const level = riskLevel(score, t);
  if (level === 'high') return { level, outcome: 'rectify', preventionLevel: null };
  if (level === 'low') return { level, outcome: 'none', preventionLevel: null };
  const preventionLevel = typesHit >= 3 ? 1 : typesHit === 2 ? 2 : 3;
  return { level, outcome: 'prevent', preventionLevel };
}

export interface Mark {
  itemId: number;
  present: boolean;
  evidence: string;
}

/** The score and the distinct types of the present items. */
export function scoreOf(
  items: readonly { id: number; type: RiskType; weight: number }[],
  marks: readonly Mark[],
): { score: number; types: RiskType[] } {
  const present = items.filter((i) => marks.some((m) => m.itemId === i.id && m.present));
  const types = RISK_TYPES.filter((t) => present.some((i) => i.type === t));
  return { score: present.reduce((s, i) => s + i.weight, 0), types };
}

/** The rule in words, shown with every level. */
export function describeRisk(t: Thresholds): string {
  const middle = t.middleMin === t.highMin - 1 ? `${t.middleMin} 分` : `${t.middleMin}–${t.highMin - 1} 分`;
  return (
    `存在的负面清单项分值合计 ${t.highMin} 分及以上为高风险，建议认定为软弱涣散村；` +
    `${middle}为中风险，建议认定为重点防控村（涉及 3 类及以上为一级防控，2 类为二级，1 类为三级）；` +
    `${t.middleMin} 分以下为低风险，不作认定（分值和等级线由县委组织部设定，可调整）`
  );
}

/** Why a list cannot be saved, or null. */
export function listRefusal(items: readonly ListItem[], t: Thresholds): { field: string; message: string } | null {
  if (items.length === 0) return { field: 'items', message: '负面清单至少要有一项' };
  const titles = items.map((i) => i.title.trim());
  const empty = titles.findIndex((x) => x.length === 0);
  if (empty >= 0) return { field: `items.${empty}.title`, message: '清单项名称不能为空' };
  const dup = titles.findIndex((x, i) => titles.indexOf(x) !== i);
  if (dup >= 0) return { field: `items.${dup}.title`, message: `清单项“${titles[dup]}”重复` };
  if (t.middleMin < 1) return { field: 'middleMin', message: '中风险分数线至少为 1 分' };
  if (t.highMin <= t.middleMin) return { field: 'highMin', message: '高风险分数线须高于中风险分数线' };
  return null;
}

/** Why a screening cannot be saved, or null: every item marked once; a present item needs evidence. */
export function marksRefusal(
  items: readonly { id: number; title: string }[],
  marks: readonly Mark[],
): { field: string; message: string } | null {
  for (const [i, m] of marks.entries()) {
    const item = items.find((it) => it.id === m.itemId);
    if (!item) return { field: `marks.${i}.itemId`, message: `清单项 ${m.itemId} 不在本年度负面清单中` };
    if (marks.findIndex((o) => o.itemId === m.itemId) !== i) {
      return { field: `marks.${i}.itemId`, message: `清单项“${item.title}”重复` };
    }
    if (m.present && m.evidence.trim() === '') {
      return { field: `marks.${i}.evidence`, message: `“${item.title}”标为存在，须填写依据` };
    }
  }
  const missing = items.find((it) => !marks.some((m) => m.itemId === it.id));
  if (missing) return { field: 'marks', message: `“${missing.title}”尚未标记：每一项都须标为存在或不存在` };
  return null;
}
