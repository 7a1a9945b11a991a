// 堡垒指数 (the positive list): the grading rule, the rule in words, the shipped default sheet and the
// checks on a sheet and a scoring. Pure, integer arithmetic only. No runtime imports from the server:
// the console imports the labels from this file.
//
// The source (Xining 2024) names the three 有 and the three grades but gives no items, scores or
// cut-offs: DEFAULT_SHEET and DEFAULT_CUTOFFS are this service's editable defaults, and say so.

export type FortressGrade = 'strong' | 'middle' | 'weak';
export const GRADE_LABEL: Record<FortressGrade, string> = { strong: '强村', middle: '中等村', weak: '弱村' };

export const SECTIONS = ['leadership', 'members', 'mechanism'] as const;
export type Section = (typeof SECTIONS)[number];
export const SECTION_LABEL: Record<Section, string> = {
  leadership: '有坚强有力的领导班子',
  members: '有素质过硬的党员队伍和后备人才队伍',
  mechanism: '有健全完善的工作机制',
};

export interface Cutoffs {
  /** 强村: total at or above */
  strongMin: number;
  /** 中等村: total at or above (and below strongMin) */
  middleMin: number;
}

export const DEFAULT_CUTOFFS: Cutoffs = { strongMin: 85, middleMin: 60 };

export interface SheetItem {
  section: Section;
  title: string;
  maxScore: number;
}

/** Ten items totalling 100 (40 + 30 + 30): this service's default, not the source's. */
export const DEFAULT_SHEET: readonly SheetItem[] = [
  { section: 'leadership', title: '村党组织书记政治素质和履职能力', maxScore: 15 },
  { section: 'leadership', title: '村“两委”班子团结协作、战斗力', maxScore: 15 },
  { section: 'leadership', title: '落实“四议两公开”，民主决策规范', maxScore: 10 },
  { section: 'members', title: '党员教育管理和“三会一课”等组织生活', maxScore: 10 },
  { section: 'members', title: '党员先锋模范作用发挥', maxScore: 10 },
  { section: 'members', title: '后备人才培养储备', maxScore: 10 },
  { section: 'mechanism', title: '党务、村务、财务公开', maxScore: 10 },
  { section: 'mechanism', title: '矛盾纠纷排查化解', maxScore: 10 },
  { section: 'mechanism', title: '村集体经济发展', maxScore: 5 },
  { section: 'mechanism', title: '为民服务和阵地作用发挥', maxScore: 5 },
];

/** THE grading rule: the total against the county's cut-offs. */
export function grade(total: number, cutoffs: Cutoffs): FortressGrade {
  if (total >= cutoffs.strongMin) return 'strong';
  if (total >= cutoffs.middleMin) return 'middle';
  return 'weak';
}

/** The rule in words, shown with every grade. */
export function describeGrading(cutoffs: Cutoffs, maxTotal: number): string {
  const { strongMin, middleMin } = cutoffs;
  const middle = middleMin === strongMin - 1 ? `${middleMin} 分` : `${middleMin}–${strongMin - 1} 分`;
  return (
    `满分 ${maxTotal} 分；总分 ${strongMin} 分及以上为强村，${middle}为中等村，` +
    `${middleMin} 分以下为弱村（等次线由县委组织部设定，可调整）`
  );
}

export const sumMax = (items: readonly { maxScore: number }[]): number => items.reduce((s, i) => s + i.maxScore, 0);

/** Why a sheet cannot be saved, or null: items present, cut-offs ordered and within the total. */
export function sheetRefusal(items: readonly SheetItem[], cutoffs: Cutoffs): { field: string; message: string } | null {
  if (items.length === 0) return { field: 'items', message: '评分表至少要有一个评分项' };
  const titles = items.map((i) => i.title.trim());
  const dup = titles.findIndex((t, i) => titles.indexOf(t) !== i);
  if (dup >= 0) return { field: `items.${dup}.title`, message: `评分项“${titles[dup]}”重复` };
  const empty = titles.findIndex((t) => t.length === 0);
  if (empty >= 0) return { field: `items.${empty}.title`, message: '评分项名称不能为空' };
  const max = sumMax(items);
  if (cutoffs.middleMin < 1) return { field: 'middleMin', message: '中等村分数线至少为 1 分' };
  if (cutoffs.strongMin <= cutoffs.middleMin) {
    return { field: 'strongMin', message: '强村分数线须高于中等村分数线' };
  }
  if (cutoffs.strongMin > max) {
    return { field: 'strongMin', message: `强村分数线（${cutoffs.strongMin} 分）不能高于满分（${max} 分）` };
  }
  return null;
}

export interface ItemScore {
  itemId: number;
  score: number;
  note: string;
}

/** Why a scoring cannot be saved, or null: every item once, each an integer from 0 to its maximum. */
export function scoringRefusal(
  items: readonly { id: number; title: string; maxScore: number }[],
  scores: readonly ItemScore[],
): { field: string; message: string } | null {
  for (const [i, s] of scores.entries()) {
    const item = items.find((it) => it.id === s.itemId);
    if (!item) return { field: `items.${i}.itemId`, message: `评分项 ${s.itemId} 不在本年度评分表中` };
    if (scores.findIndex((o) => o.itemId === s.itemId) !== i) {
      return { field: `items.${i}.itemId`, message: `评分项“${item.title}”重复评分` };
    }
    if (!Number.isInteger(s.score) || s.score < 0 || s.score > item.maxScore) {
      return { field: `items.${i}.score`, message: `“${item.title}”的得分须为 0 到 ${item.maxScore} 的整数` };
    }
  }
  const missing = items.find((it) => !scores.some((s) => s.itemId === it.id));
  if (missing) return { field: 'items', message: `“${missing.title}”尚未评分：每一项都须评分` };
  return null;
}

export const totalOf = (scores: readonly { score: number }[]): number => scores.reduce((s, x) => s + x.score, 0);
