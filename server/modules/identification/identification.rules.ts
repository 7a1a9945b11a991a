// 认定台账 (the identification register, issue 10 item 7): what the register shows of a village's
// decision, the filters of the page, and the counts of the annual summary. Pure, integer counting.
// No runtime imports from the server: the console imports the labels and the filter from this file.
//
// A village's decision is that of its township's list of the year: none while the list is a draft
// (the township has not proposed it yet; a list sent back sits in draft or proposed again), else the
// list's stage and the outcome named for the village on it.

export type Stage = 'draft' | 'proposed' | 'determined' | 'approved';
export type DecidedStage = Exclude<Stage, 'draft'>;
export type Outcome = 'rectify' | 'prevent' | 'none';
export type Grade = 'strong' | 'middle' | 'weak';
export type Level = 'high' | 'middle' | 'low';
export type RiskType = 'party_building' | 'integrity' | 'governance' | 'revitalization';

export const GRADES: readonly Grade[] = ['strong', 'middle', 'weak'];
export const LEVELS: readonly Level[] = ['high', 'middle', 'low'];
export const OUTCOMES: readonly Outcome[] = ['rectify', 'prevent', 'none'];
export const STAGES: readonly DecidedStage[] = ['proposed', 'determined', 'approved'];
export const RISK_TYPES: readonly RiskType[] = ['party_building', 'integrity', 'governance', 'revitalization'];

export const STAGE_LABEL: Record<DecidedStage, string> = {
  proposed: '乡镇党委会已提名',
  determined: '部务会已初定',
  approved: '常委会已审定',
};
export const REGISTER_OUTCOME_LABEL: Record<Outcome, string> = {
  rectify: '软弱涣散村',
  prevent: '重点防控村',
  none: '不作认定',
};

export interface Decision {
  stage: DecidedStage;
  outcome: Outcome;
}

/** THE decision rule: the list's stage and the village's outcome on it, or null while the list is a draft. */
export function decisionOf(stage: Stage, outcome: Outcome): Decision | null {
  return stage === 'draft' ? null : { stage, outcome };
}

export interface RegisterRow {
  villageId: number;
  townshipId: number;
  townshipName: string;
  fortress: { score: number; grade: Grade } | null;
  risk: { types: RiskType[]; level: Level } | null;
  reports: number;
  decision: Decision | null;
}

/** The page's filters; 'none' picks the villages without one (未评定, 未排查, 未提名). */
export interface RegisterFilter {
  township?: number | undefined;
  grade?: Grade | 'none' | undefined;
  level?: Level | 'none' | undefined;
  outcome?: Outcome | 'undecided' | undefined;
  stage?: DecidedStage | 'none' | undefined;
}

/** Does the village pass every filter that is set? */
export function matches(row: RegisterRow, f: RegisterFilter): boolean {
  if (f.township !== undefined && row.townshipId !== f.township) return false;
  if (f.grade !== undefined && (row.fortress?.grade ?? 'none') !== f.grade) return false;
  if (f.level !== undefined && (row.risk?.level ?? 'none') !== f.level) return false;
  if (f.outcome !== undefined && (row.decision?.outcome ?? 'undecided') !== f.outcome) return false;
  if (f.stage !== undefined && (row.decision?.stage ?? 'none') !== f.stage) return false;
  return true;
}

export interface Counts {
  villages: number;
  grade: Record<Grade | 'none', number>;
  level: Record<Level | 'none', number>;
  /** villages with a present item of the type in their latest screening (a village may count under several) */
  type: Record<RiskType, number>;
  /** decisions past the draft (proposed, determined or approved) */
  outcome: Record<Outcome | 'undecided', number>;
  /** approved only: the county committee's list */
  approved: Record<Outcome, number>;
  reports: number;
}

function emptyCounts(): Counts {
  return {
    villages: 0,
    grade: { strong: 0, middle: 0, weak: 0, none: 0 },
    level: { high: 0, middle: 0, low: 0, none: 0 },
    type: { party_building: 0, integrity: 0, governance: 0, revitalization: 0 },
    outcome: { rectify: 0, prevent: 0, none: 0, undecided: 0 },
    approved: { rectify: 0, prevent: 0, none: 0 },
    reports: 0,
  };
}

function add(c: Counts, row: RegisterRow): void {
  c.villages += 1;
  c.grade[row.fortress?.grade ?? 'none'] += 1;
  c.level[row.risk?.level ?? 'none'] += 1;
  for (const t of new Set(row.risk?.types ?? [])) c.type[t] += 1;
  c.outcome[row.decision?.outcome ?? 'undecided'] += 1;
  if (row.decision?.stage === 'approved') c.approved[row.decision.outcome] += 1;
  c.reports += row.reports;
}

export interface TownshipCounts extends Counts {
  townshipId: number;
  name: string;
}

/** The summary's counts: the whole region's, and each township's in the order first met. */
export function summarize(rows: readonly RegisterRow[]): { total: Counts; townships: TownshipCounts[] } {
  const total = emptyCounts();
  const byTownship = new Map<number, TownshipCounts>();
  for (const row of rows) {
    add(total, row);
    let t = byTownship.get(row.townshipId);
    if (!t)
      byTownship.set(row.townshipId, (t = { townshipId: row.townshipId, name: row.townshipName, ...emptyCounts() }));
    add(t, row);
  }
  return { total, townships: [...byTownship.values()] };
}

/** The types in the order of the negative list's four types, each once. */
export function orderedTypes(types: readonly string[]): RiskType[] {
  return RISK_TYPES.filter((t) => types.includes(t));
}
