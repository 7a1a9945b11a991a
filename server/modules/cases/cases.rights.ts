// Who may edit which fields of a case, which session kind a case in a given state runs, and which
// cases wait for which role: pure tables and functions.
import type { Role } from '../../lib/access.ts';
import type { SessionKind } from '../sessions/sessions.rules.ts';
import { CASE_ROLES, CLOSED_STATES, LEADER_ROLES, STATE_LABEL, type CaseState } from './cases.rules.ts';

export interface EditRights {
  types: boolean;
  deadline: boolean;
  plan: boolean;
  responsible: boolean;
  problems: boolean;
}

/** Which fields this role may edit on a case in this state (nothing once the case is closed). */
export function editRights(role: Role, state: CaseState): EditRights {
  const open = !CLOSED_STATES.includes(state) && CASE_ROLES.includes(role);
  const leader = open && LEADER_ROLES.includes(role);
  return {
    types: leader,
    deadline: leader,
    responsible: leader || (open && role === 'township'),
    plan: open,
    problems: open,
  };
}

/** The session kind a case in this state may run, if any. */
export const SESSION_KIND_OF_STATE: Partial<Record<CaseState, SessionKind>> = {
  village_evaluation: 'self_evaluation',
  township_check: 'township_check',
  county_acceptance: 'county_callback',
  monitoring: 'look_back',
};

const KIND_STAGE: Record<SessionKind, string> = {
  self_evaluation: '村级自评须在“村级自评”阶段组织',
  township_check: '乡镇初验测评须在“乡镇初验”阶段组织',
  county_callback: '县级回访测评须在“县级验收”阶段组织',
  look_back: '回头看测评须在“跟踪回头看”阶段组织',
};

/** null when a session of this kind may be attached to a case in this state; else the reason. */
export function caseSessionRefusal(
  state: CaseState,
  kind: SessionKind,
  relistedAs: number | null = null,
): string | null {
  // a re-listed case is finished: its village's evaluations belong to the new case
  if (relistedAs !== null) return `本案件已重新列入，见案件 ${relistedAs}；请在新案件中组织测评`;
  if (SESSION_KIND_OF_STATE[state] === kind) return null;
  return `案件当前为“${STATE_LABEL[state]}”，${KIND_STAGE[kind]}`;
}

/** The states whose cases wait for this role (the inbox). */
export const INBOX_STATES: Record<Role, readonly CaseState[]> = {
  admin: [],
  village: ['rectifying', 'village_evaluation'],
  township: ['applied', 'township_check'],
  county: ['listed', 'county_acceptance', 'exited'],
  city: ['city_review'],
  department: [],
};
