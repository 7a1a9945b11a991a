// The campaign board as pure functions: how many satisfied votes a closed session needed (the least
// count meeting the majority and rate checks of its rule set, the same thresholds as tallies.rules
// decide), the margin and the rate in integer arithmetic, and the next step of a village with who
// must take it. No runtime imports from the server: the console imports the labels from this file.
import type { Role } from '../../lib/access.ts';
import type { CaseState } from '../cases/cases.rules.ts';
import { KIND_LABEL, type SessionKind, type SessionStatus } from '../sessions/sessions.rules.ts';
import { majorityThreshold, rateThreshold, type Outcome, type RuleSet } from '../tallies/tallies.rules.ts';

/**
 * The least satisfied count that meets the satisfaction checks (majority over the denominator, and
 * the rate when the rule set has one). For a denominator of 0 it is 1: no count meets it (decide
 * calls that 无法判定). A result above the denominator means no count can pass.
 */
export function requiredSatisfied(rules: Pick<RuleSet, 'majority' | 'minRatePercent'>, denominator: number): number {
  if (denominator <= 0) return 1;
  const majority = majorityThreshold(rules.majority, denominator);
  return rules.minRatePercent === null
    ? majority
    : Math.max(majority, rateThreshold(rules.minRatePercent, denominator));
}

/** satisfied − required: below 0 that many votes were missing, from 0 up that many to spare. */
export function marginOf(satisfied: number, required: number): number {
  return satisfied - required;
}

/** 满意率 in tenths of a percent, rounded down; null when there is no denominator. */
export function ratePermille(satisfied: number, denominator: number): number | null {
  if (denominator <= 0) return null;
  return Math.floor((satisfied * 1000) / denominator);
}

export function marginText(margin: number): string {
  if (margin < 0) return `还差 ${-margin} 票`;
  return margin === 0 ? '恰好达到' : `超出 ${margin} 票`;
}

/** 61.5% from 615 (integer arithmetic). */
export function permilleText(permille: number | null): string {
  if (permille === null) return '—';
  return `${Math.floor(permille / 10)}.${permille % 10}%`;
}

// ---- the next step ----

export const NEXT_ACTIONS = [
  'start',
  'request_evaluation',
  'create_session',
  'confirm_residents',
  'open',
  'close',
  'apply',
  'return',
  'receive',
  'township_pass',
  'county_pass',
  'city_pass',
  'monitor',
  'lookback_pass',
  'relist',
] as const;
export type NextAction = (typeof NEXT_ACTIONS)[number];

export type StepRole = Exclude<Role, 'admin' | 'department'>;

export const STEP_ROLE_LABEL: Record<StepRole, string> = {
  city: '市委组织部',
  county: '县委组织部',
  township: '乡镇党委',
  village: '村党组织书记',
};

/** Who runs (opens, closes) a session of each kind: the lowest level that may (sessions.rules KINDS_RUN_BY). */
export const RUNNER_OF_KIND: Record<SessionKind, StepRole> = {
  self_evaluation: 'village',
  township_check: 'township',
  county_callback: 'county',
  look_back: 'county',
};

const FIXED_LABEL: Record<Exclude<NextAction, 'create_session' | 'open'>, string> = {
  start: '开始整顿',
  request_evaluation: '整改完成，组织村级自评',
  confirm_residents: '确认在村人数',
  close: '结束测评',
  apply: '自评通过，申请验收',
  return: '测评未通过，退回整改',
  receive: '受理验收申请，开始乡镇初验',
  township_pass: '乡镇初验通过，报县级验收',
  county_pass: '县级验收通过，报市级复盘',
  city_pass: '复盘通过，退出（销号）',
  monitor: '转入跟踪回头看',
  lookback_pass: '确认回头看通过',
  relist: '回头看不达标，重新列入',
};

export interface NextStep {
  action: NextAction;
  label: string;
  role: StepRole;
  roleLabel: string;
  /** the session kind to create, or of the session to act on */
  kind: SessionKind | null;
  /** the session to act on (confirm_residents, open, close) */
  sessionId: number | null;
}

/** A session as the next step reads it. */
export interface StepSession {
  id: number;
  kind: SessionKind;
  status: SessionStatus;
  residentsConfirmed: boolean;
  issued: number;
  /** the stored verdict's outcome once closed */
  outcome: Outcome | null;
  /** ISO instant */
  closedAt: string | null;
}

export interface StepCase {
  state: CaseState;
  relistedAs: number | null;
  /** ISO instant of the case's last step (or its creation): a session closed before it was acted on */
  stepSince: string;
  /** the latest non-void session of the case of the kind its state runs */
  stageSession: StepSession | null;
}

function step(action: NextAction, role: StepRole, kind: SessionKind | null = null, sessionId: number | null = null) {
  const label =
    action === 'create_session'
      ? `组织${KIND_LABEL[kind as SessionKind]}测评`
      : action === 'open'
        ? '发放测评票，开始测评'
        : FIXED_LABEL[action];
  return { action, label, role, roleLabel: STEP_ROLE_LABEL[role], kind, sessionId };
}

/** The step a draft or open session waits for; null for any other status. */
export function sessionStep(s: StepSession): NextStep | null {
  if (s.status === 'open') return step('close', RUNNER_OF_KIND[s.kind], s.kind, s.id);
  if (s.status !== 'draft') return null;
  if (!s.residentsConfirmed) return step('confirm_residents', 'township', s.kind, s.id);
  const open = step('open', RUNNER_OF_KIND[s.kind], s.kind, s.id);
  return s.issued > 0 ? { ...open, label: '开始测评' } : open;
}

const STAGE_KIND: Partial<Record<CaseState, SessionKind>> = {
  village_evaluation: 'self_evaluation',
  township_check: 'township_check',
  county_acceptance: 'county_callback',
  monitoring: 'look_back',
};

/** What a case in a stage that runs a session waits for, given that stage's session. */
function stageStep(c: StepCase, kind: SessionKind): NextStep {
  const stage = c.stageSession;
  const s = stage && (stage.closedAt === null || Date.parse(stage.closedAt) >= Date.parse(c.stepSince)) ? stage : null;
  const waiting = s ? sessionStep(s) : null;
  if (waiting) return waiting;
  const outcome = s && (s.status === 'closed' || s.status === 'certified') ? s.outcome : null;
  switch (c.state) {
    case 'village_evaluation':
      if (outcome === null) return step('create_session', 'village', kind);
      return outcome === 'pass' ? step('apply', 'village', kind, s?.id) : step('return', 'village', kind, s?.id);
    case 'township_check':
      // the township check's own session is optional: without a failed one the township decides
      return outcome === null || outcome === 'pass'
        ? step('township_pass', 'township')
        : step('return', 'township', kind, s?.id);
    case 'county_acceptance':
      if (outcome === null) return step('create_session', 'county', kind);
      return outcome === 'pass' ? step('county_pass', 'county', kind, s?.id) : step('return', 'county', kind, s?.id);
    default:
      if (outcome === null) return step('create_session', 'county', kind);
      return outcome === 'pass' ? step('lookback_pass', 'county', kind, s?.id) : step('relist', 'county', kind, s?.id);
  }
}

const CASE_STEP: Partial<Record<CaseState, [NextAction, StepRole]>> = {
  listed: ['start', 'township'],
  rectifying: ['request_evaluation', 'village'],
  applied: ['receive', 'township'],
  city_review: ['city_pass', 'city'],
  exited: ['monitor', 'county'],
};

/**
 * The next step of a village: its case's, when it has one (a re-listed case has none: the new case
 * carries on); otherwise the first draft or open session's among `latest` (ordered by kind).
 */
export function nextStepOf(c: StepCase | null, latest: readonly StepSession[]): NextStep | null {
  if (c) {
    if (c.relistedAs !== null) return null;
    const fixed = CASE_STEP[c.state];
    if (fixed) return step(fixed[0], fixed[1]);
    return stageStep(c, STAGE_KIND[c.state] as SessionKind);
  }
  for (const s of latest) {
    const next = sessionStep(s);
    if (next) return next;
  }
  return null;
}
