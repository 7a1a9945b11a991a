// 三级认定 (seed 000): the stage machine of a township's yearly list, what each step requires, the
// checks on the township's entries, the case types a 软弱涣散村 starts with, and 调低防控措施等级.
// Pure, no I/O. No runtime imports from the server: the console imports the labels from this file.
//
// 乡镇党委会 proposes (township), 部务会 makes the initial determination and 常委会 approves; the
// county organization department enters both county steps. 部务会 may send a proposed list back to
// the township, 常委会 a determined one back to 部务会.

export const STAGES = ['draft', 'proposed', 'determined', 'approved'] as const;
export type Stage = (typeof STAGES)[number];
export const STAGE_LABEL: Record<Stage, string> = {
  draft: '乡镇拟定中',
  proposed: '乡镇党委会已提交',
  determined: '部务会已初步认定',
  approved: '常委会已审定',
};

export const ACTIONS = ['propose', 'determine', 'approve', 'return'] as const;
export type Action = (typeof ACTIONS)[number];
export const ACTION_LABEL: Record<Action, string> = {
  propose: '乡镇党委会研究提交',
  determine: '部务会初步认定',
  approve: '常委会审定',
  return: '退回',
};

export type Meeting = '乡镇党委会' | '部务会' | '常委会';
export type DecisionRole = 'township' | 'county';

export interface Edge {
  action: Action;
  from: Stage;
  to: Stage;
  role: DecisionRole;
  /** the meeting that takes this step */
  meeting: Meeting;
}

export const EDGES: readonly Edge[] = [
  { action: 'propose', from: 'draft', to: 'proposed', role: 'township', meeting: '乡镇党委会' },
  { action: 'determine', from: 'proposed', to: 'determined', role: 'county', meeting: '部务会' },
  { action: 'approve', from: 'determined', to: 'approved', role: 'county', meeting: '常委会' },
  { action: 'return', from: 'proposed', to: 'draft', role: 'county', meeting: '部务会' },
  { action: 'return', from: 'determined', to: 'proposed', role: 'county', meeting: '常委会' },
];

export const edgeOf = (action: Action, from: Stage): Edge | undefined =>
  EDGES.find((e) => e.action === action && e.from === from);

/** The actions a role may take on a list in this stage (an admin, city or village takes none). */
export function availableActions(role: string, stage: Stage): Action[] {
  return EDGES.filter((e) => e.from === stage && e.role === role).map((e) => e.action);
}

export interface StepInput {
  meetingDate?: string | undefined;
  meeting?: string | undefined;
  documentNo?: string | undefined;
  decision?: string | undefined;
  reason?: string | undefined;
}

export interface Refusal {
  field: string;
  message: string;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
/** A real calendar day written YYYY-MM-DD (2026-02-30 is not). */
export function isDay(s: string): boolean {
  const t = DAY.test(s) ? Date.parse(`${s}T00:00:00Z`) : Number.NaN;
  return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === s;
}
const filled = (s: string | undefined): boolean => s !== undefined && s.trim().length > 0;

/**
 * The day from which the list's next meeting may be dated (YYYY-MM-DD), or null: the latest of its
 * steps' meeting dates and, for a return entered without one, the day it was entered (`enteredOn`,
 * China time): a 乡镇党委会 cannot study again a list not yet sent back to it.
 */
export function lastStepDay(
  steps: readonly { action: Action; meetingDate: string | null; enteredOn: string }[],
): string | null {
  let last: string | null = null;
  for (const s of steps) {
    const day = s.meetingDate ?? (s.action === 'return' ? s.enteredOn : null);
    if (day !== null && (last === null || day > last)) last = day;
  }
  return last;
}

/** The earliest meeting date a list of `year` may rest on: 1 January of the year before. */
export const earliestMeetingDay = (year: number): string => `${year - 1}-01-01`;

/**
 * Why this step cannot be recorded as entered, or null. `today` and `lastDate` (lastStepDay) are
 * YYYY-MM-DD in China time: a meeting cannot be in the future, nor before the step it follows, nor
 * (given the list's `year`) before 1 January of the year before (a mistyped 0026 or 2006).
 */
export function stepRefusal(
  edge: Edge,
  input: StepInput,
  today: string,
  lastDate: string | null,
  year?: number,
): Refusal | null {
  if (input.meeting !== undefined && input.meeting !== edge.meeting) {
    return { field: 'meeting', message: `此步骤由${edge.meeting}作出，会议应为“${edge.meeting}”` };
  }
  if (edge.action === 'return') {
    if (!filled(input.reason)) return { field: 'reason', message: '退回须写明理由' };
  } else if (!filled(input.meetingDate)) {
    return { field: 'meetingDate', message: `请填写${edge.meeting}的召开日期` };
  }
  if (input.meetingDate !== undefined) {
    if (!isDay(input.meetingDate)) {
      return { field: 'meetingDate', message: '会议日期格式应为 YYYY-MM-DD' };
    }
    if (input.meetingDate > today) return { field: 'meetingDate', message: '会议日期不能晚于今天' };
    if (year !== undefined && input.meetingDate < earliestMeetingDay(year)) {
      return { field: 'meetingDate', message: `会议日期不能早于 ${earliestMeetingDay(year)}（本名单为 ${year} 年度）` };
    }
    if (lastDate !== null && input.meetingDate < lastDate) {
      return { field: 'meetingDate', message: `会议日期不能早于上一步骤的会议日期（${lastDate}）` };
    }
  }
  if (edge.action === 'propose' && !filled(input.decision)) {
    return { field: 'decision', message: '请填写乡镇党委会的研究意见' };
  }
  if ((edge.action === 'determine' || edge.action === 'approve') && !filled(input.documentNo)) {
    return { field: 'documentNo', message: `请填写${edge.meeting}的文件（纪要）编号` };
  }
  return null;
}

export type Outcome = 'rectify' | 'prevent' | 'none';
export type Level = 1 | 2 | 3;

export interface EntryInput {
  outcome: Outcome;
  preventionLevel: Level | null;
  note: string;
}

/** Why the township's entry for a village cannot stand against its screening's proposal, or null. */
export function entryRefusal(
  entry: EntryInput,
  proposal: { outcome: Outcome; preventionLevel: Level | null },
): string | null {
  if (entry.outcome === 'prevent' && entry.preventionLevel === null) return '重点防控村须选择防控措施等级';
  if (entry.outcome !== 'prevent' && entry.preventionLevel !== null) return '只有重点防控村有防控措施等级';
  const deviates = entry.outcome !== proposal.outcome || entry.preventionLevel !== proposal.preventionLevel;
  if (deviates && entry.note.trim().length === 0) return '与排查建议不一致时须写明理由';
  return null;
}

/**
 * The types a new case of a 软弱涣散村 starts with: the campaign's types matching the village's risk
 * types (by the default names), else the campaign's first type. The county edits them on the case.
 */
export const CASE_TYPE_OF_RISK: Record<string, string> = {
  party_building: '班子战斗力不强',
  integrity: '班子战斗力不强',
  governance: '矛盾问题突出',
  revitalization: '推进乡村振兴缓慢',
};

export function caseTypesFor(riskTypes: readonly string[], campaignTypes: readonly string[]): string[] {
  const out: string[] = [];
  for (const t of riskTypes) {
    const name = CASE_TYPE_OF_RISK[t];
    if (name !== undefined && campaignTypes.includes(name) && !out.includes(name)) out.push(name);
  }
  return out.length > 0 ? out : campaignTypes.slice(0, 1);
}

/**
 * 调低防控措施等级: a prevention level only ever goes down one step at a time, 一级 → 二级 → 三级 →
 * 解除 (null). Keeping the same level is allowed (the review records the risk level only).
 */
export function loweringRefusal(from: Level, to: Level | null): string | null {
  if (to === null) return from === 3 ? null : '须先调至三级防控，才能解除重点防控';
  if (to < from) return '防控措施等级只能调低，不能调高';
  if (to > from + 1) return '防控措施等级须逐级调低';
  return null;
}

export const LEVEL_NAME: Record<Level, string> = { 1: '一级', 2: '二级', 3: '三级' };

export function loweringText(from: Level, to: Level | null): string {
  if (to === null) return `由${LEVEL_NAME[from]}防控解除重点防控`;
  return to === from ? `维持${LEVEL_NAME[from]}防控` : `由${LEVEL_NAME[from]}调至${LEVEL_NAME[to]}防控`;
}
