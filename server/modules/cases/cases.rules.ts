// The acceptance state machine of a rectification case, as pure functions: who may take which step
// from which state, what each step's gate needs (read by the service into CaseFacts), which fields
// each role may edit. The light (red/yellow/green) lives in cases.light.ts (re-exported here); edit
// rights, case sessions and the inbox in cases.rights.ts. No runtime imports from the server: the
// console imports the labels from this file.
import type { Role } from '../../lib/access.ts';
import type { FortressGrade } from '../grading/grading.rules.ts';

export const CASE_STATES = [
  'listed',
  'rectifying',
  'village_evaluation',
  'applied',
  'township_check',
  'county_acceptance',
  'city_review',
  'exited',
  'monitoring',
] as const;
export type CaseState = (typeof CASE_STATES)[number];

export const STATE_LABEL: Record<CaseState, string> = {
  listed: '已列入',
  rectifying: '整顿中',
  village_evaluation: '村级自评',
  applied: '已申请验收',
  township_check: '乡镇初验',
  county_acceptance: '县级验收',
  city_review: '市级复盘',
  exited: '已退出（销号）',
  monitoring: '跟踪回头看',
};

export const CASE_ACTIONS = [
  'start',
  'request_evaluation',
  'apply',
  'receive',
  'township_pass',
  'county_pass',
  'city_pass',
  'return',
  'monitor',
  'lookback_pass',
  'relist',
] as const;
export type CaseAction = (typeof CASE_ACTIONS)[number];

export const ACTION_LABEL: Record<CaseAction, string> = {
  start: '开始整顿',
  request_evaluation: '整改完成，组织村级自评',
  apply: '申请验收',
  receive: '受理，开始乡镇初验',
  township_pass: '乡镇初验通过，报县级验收',
  county_pass: '县级验收通过，报市级复盘',
  city_pass: '复盘通过，退出（销号）',
  return: '退回整改',
  monitor: '转入跟踪回头看',
  lookback_pass: '回头看通过',
  relist: '回头看不达标，重新列入',
};

/** The case types a new campaign starts with (DOMAIN.md; Shanyang's four); a campaign may edit them. */
export const DEFAULT_CASE_TYPES: readonly string[] = [
  '班子战斗力不强',
  '推进乡村振兴缓慢',
  '矛盾问题突出',
  '村容村貌较差',
];

// The 堡垒指数 is graded in the grading module (the township's scoring on the county's sheet); the
// gates read it (CaseFacts.fortressGrade), nobody types it on a case.
export { GRADE_LABEL, type FortressGrade } from '../grading/grading.rules.ts';

/** Cases in these states are closed: no edits, and they do not block a new listing of the village. */
export const CLOSED_STATES: readonly CaseState[] = ['exited', 'monitoring'];

export interface Edge {
  action: CaseAction;
  from: CaseState;
  to: CaseState;
  roles: readonly Role[];
}

/** The roles that own campaigns and decide at county and city level. */
export const LEADER_ROLES: readonly Role[] = ['county', 'city'];
const LEADERS = LEADER_ROLES;
export const CASE_ROLES: readonly Role[] = ['city', 'county', 'township', 'village'];

/** The transition table: one row per (action, from state); `roles` may take it. */
export const TRANSITIONS: readonly Edge[] = [
  { action: 'start', from: 'listed', to: 'rectifying', roles: ['county', 'city', 'township'] },
  { action: 'request_evaluation', from: 'rectifying', to: 'village_evaluation', roles: ['village', 'township'] },
  { action: 'apply', from: 'village_evaluation', to: 'applied', roles: ['village'] },
  { action: 'receive', from: 'applied', to: 'township_check', roles: ['township'] },
  { action: 'township_pass', from: 'township_check', to: 'county_acceptance', roles: ['township'] },
  { action: 'county_pass', from: 'county_acceptance', to: 'city_review', roles: ['county'] },
  { action: 'city_pass', from: 'city_review', to: 'exited', roles: ['city'] },
  { action: 'return', from: 'village_evaluation', to: 'rectifying', roles: ['village', 'township'] },
  { action: 'return', from: 'applied', to: 'rectifying', roles: ['township'] },
  { action: 'return', from: 'township_check', to: 'rectifying', roles: ['township'] },
  { action: 'return', from: 'county_acceptance', to: 'rectifying', roles: ['county'] },
  { action: 'return', from: 'city_review', to: 'rectifying', roles: ['city'] },
  { action: 'monitor', from: 'exited', to: 'monitoring', roles: LEADERS },
  { action: 'lookback_pass', from: 'monitoring', to: 'monitoring', roles: LEADERS },
  { action: 'relist', from: 'monitoring', to: 'monitoring', roles: LEADERS },
];

export function edgeOf(action: CaseAction, from: CaseState, role: Role): Edge | undefined {
  return TRANSITIONS.find((e) => e.action === action && e.from === from && e.roles.includes(role));
}

/** May this role ever take this action (from some state)? */
export function mayEverTake(role: Role, action: CaseAction): boolean {
  return TRANSITIONS.some((e) => e.action === action && e.roles.includes(role));
}

/** A closed session the gates rest on: the latest non-void one of its kind (by closed_at). */
export interface SessionFact {
  id: number;
  outcome: 'pass' | 'fail' | 'undecidable';
  reconciled: boolean;
  satisfied: number;
  /** more satisfied votes that were needed (0 when met) */
  needed: number;
  rule: string;
  reason: string | null;
}

/** What the gates read; the service gathers it from the database under the case's row lock. */
export interface CaseFacts {
  openProblems: number;
  selfEvaluation: SessionFact | null;
  countyCallback: SessionFact | null;
  lookBack: SessionFact | null;
  /** the latest look-back was already used by a lookback_pass */
  lookBackUsed: boolean;
  /** a county_pass recorded after the last return to rectifying */
  countyPassSinceReturn: boolean;
  requireFortressGrade: boolean;
  /** the village's current 堡垒指数: its latest scoring of the newest year from the campaign's year on */
  fortressGrade: FortressGrade | null;
  /** the case a relist created from this one */
  relistedAs: number | null;
}

export interface TransitionFields {
  reason?: string | undefined;
  deadline?: string | undefined;
}

export type Refusal = { reason: 'role' } | { reason: 'state'; message: string };

function sessionGate(s: SessionFact | null, name: string, none: string, purpose: string): string | null {
  if (!s) return none;
  if (!s.reconciled) return `最近一次${name}票数核对不符，不能${purpose}`;
  if (s.outcome === 'undecidable') return `最近一次${name}无法判定（${s.reason ?? s.rule}），不能${purpose}`;
  if (s.outcome === 'fail') {
    const need = s.needed > 0 ? `满意 ${s.satisfied} 人，至少需要 ${s.satisfied + s.needed} 人` : s.rule;
    return `最近一次${name}未通过（${need}），不能${purpose}`;
  }
  return null;
}

const noGrade = (purpose: string) =>
  `该村尚无本整顿年度及以后的堡垒指数评分（由乡镇在“堡垒指数”中逐项评分），不能${purpose}`;

/** The gate on facts alone (what the console shows as `blocked`); null when open. */
export function gateOf(action: CaseAction, f: CaseFacts): string | null {
  switch (action) {
    case 'apply':
      return sessionGate(f.selfEvaluation, '村级自评', '尚无已结束的村级自评，不能申请验收', '申请验收');
    case 'township_pass':
      return f.openProblems > 0 ? `问题清单还有 ${f.openProblems} 项未销号` : null;
    case 'county_pass':
      return (
        sessionGate(f.countyCallback, '县级回访测评', '尚无已结束的县级回访测评，不能通过县级验收', '通过县级验收') ??
        (f.requireFortressGrade && f.fortressGrade === null ? noGrade('通过县级验收') : null)
      );
    case 'city_pass':
      if (!f.countyPassSinceReturn) return '最近一次退回整改后尚未通过县级验收，不能退出';
      if (f.requireFortressGrade && f.fortressGrade === null) return noGrade('退出');
      if (f.requireFortressGrade && f.fortressGrade === 'weak') return '堡垒指数评定为弱村，不能退出';
      return null;
    case 'lookback_pass':
      if (f.relistedAs !== null) return `已重新列入，见案件 ${f.relistedAs}`;
      if (f.lookBack && f.lookBackUsed) return '最近一次回头看测评已用于确认通过，请先组织新的回头看测评';
      return sessionGate(f.lookBack, '回头看测评', '尚无已结束的回头看测评，不能确认回头看通过', '确认回头看通过');
    case 'relist':
      if (f.relistedAs !== null) return `已重新列入，见案件 ${f.relistedAs}`;
      return f.lookBack ? null : '尚无已结束的回头看测评，不能重新列入';
    default:
      return null;
  }
}

/** The body fields an action needs. */
export function needsOf(action: CaseAction): string[] {
  return action === 'return' || action === 'relist' ? ['reason', 'deadline'] : [];
}

const FIELD_MESSAGE: Partial<Record<CaseAction, string>> = {
  return: '退回整改须填写原因和新的整改期限',
  relist: '重新列入须填写原因和新案件的整改期限',
};

function fieldsRefusal(action: CaseAction, input: TransitionFields, today: string): string | null {
  for (const need of needsOf(action)) {
    if ((need === 'reason' && !input.reason?.trim()) || (need === 'deadline' && !input.deadline)) {
      return FIELD_MESSAGE[action] ?? '缺少必填内容';
    }
  }
  if (needsOf(action).includes('deadline') && input.deadline !== undefined && input.deadline <= today) {
    return '新的整改期限须晚于今天';
  }
  return null;
}

/** null when allowed; otherwise why not: role (403) before state and gate (409). */
export function refusal(
  role: Role,
  action: CaseAction,
  state: CaseState,
  facts: CaseFacts,
  input: TransitionFields,
  today: string,
): Refusal | null {
  if (!mayEverTake(role, action)) return { reason: 'role' };
  if (!edgeOf(action, state, role)) {
    return { reason: 'state', message: `案件当前为“${STATE_LABEL[state]}”，不能${ACTION_LABEL[action]}` };
  }
  const message = gateOf(action, facts) ?? fieldsRefusal(action, input, today);
  return message === null ? null : { reason: 'state', message };
}

export interface AvailableAction {
  action: CaseAction;
  label: string;
  blocked: string | null;
  needs: string[];
}

/** Every action this role may take from this state, with the gate that holds it back, if any. */
export function availableActions(role: Role, state: CaseState, facts: CaseFacts): AvailableAction[] {
  return TRANSITIONS.filter((e) => e.from === state && e.roles.includes(role)).map((e) => ({
    action: e.action,
    label: ACTION_LABEL[e.action],
    blocked: gateOf(e.action, facts),
    needs: needsOf(e.action),
  }));
}

export { chinaDay, daysBetween, lightOf, type Light, type LightInput } from './cases.light.ts';
