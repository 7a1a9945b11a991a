// The life of an evaluation session, as pure functions: draft → open → closed → certified, and void
// (with a reason) from any state before certified. Who may do what depends on the role and on the
// session's kind: a village secretary runs only the village's own self-evaluation; the township
// also runs township checks and is the one that confirms the residents present; county and city
// run every kind. An admin takes no part in evaluations. A village secretary may void only a
// draft: once voting has begun, voiding (and so discarding a result) needs a higher level.
import type { Role } from '../../lib/access.ts';

export const SESSION_STATUSES = ['draft', 'open', 'closed', 'certified', 'void'] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];

export const SESSION_KINDS = ['self_evaluation', 'township_check', 'county_callback', 'look_back'] as const;
export type SessionKind = (typeof SESSION_KINDS)[number];

export const KIND_LABEL: Record<SessionKind, string> = {
  self_evaluation: '村级自评',
  township_check: '乡镇初验',
  county_callback: '县级回访',
  look_back: '回头看',
};

export const STATUS_LABEL: Record<SessionStatus, string> = {
  draft: '草稿',
  open: '测评中',
  closed: '已结束',
  certified: '已确认',
  void: '已作废',
};

/** Admins manage accounts and regions; they take no part in evaluations. */
export const EVALUATION_ROLES = ['city', 'county', 'township', 'village'] as const satisfies readonly Role[];

export type SessionAction =
  | 'view'
  | 'edit'
  | 'confirm_residents'
  | 'issue_slips'
  | 'void_batch'
  | 'paper'
  | 'open'
  | 'close'
  | 'certify'
  | 'void';

/** The states in which each action is possible, and the state it leads to when it changes state. */
export const ACTION_STATES: Record<SessionAction, { from: readonly SessionStatus[]; to?: SessionStatus }> = {
  view: { from: SESSION_STATUSES },
  edit: { from: ['draft'] },
  confirm_residents: { from: ['draft'] },
  issue_slips: { from: ['draft', 'open'] },
  void_batch: { from: ['draft', 'open'] },
  paper: { from: ['open'] },
  open: { from: ['draft'], to: 'open' },
  close: { from: ['open'], to: 'closed' },
  certify: { from: ['closed'], to: 'certified' },
  void: { from: ['draft', 'open', 'closed'], to: 'void' },
};

/** The kinds of session each role runs (creates, edits, issues slips for, opens, closes, certifies). */
export const KINDS_RUN_BY: Record<Role, readonly SessionKind[]> = {
  admin: [],
  village: ['self_evaluation'],
  township: ['self_evaluation', 'township_check'],
  county: SESSION_KINDS,
  city: SESSION_KINDS,
  department: [],
};

const CONFIRMERS: readonly Role[] = ['township', 'county', 'city'];

export function mayCreate(role: Role, kind: SessionKind): boolean {
  return KINDS_RUN_BY[role].includes(kind);
}

/** May this role take this action on a session of this kind in this state? (Region scope aside.) */
export function mayAct(role: Role, kind: SessionKind, action: SessionAction, status: SessionStatus): boolean {
  // a 行业部门 account sees no session at all (it files reports: deptreports)
  if (role === 'admin' || role === 'department') return false;
  switch (action) {
    case 'view':
      return true;
    case 'confirm_residents':
      return CONFIRMERS.includes(role);
    case 'void':
      return KINDS_RUN_BY[role].includes(kind) && (role !== 'village' || status === 'draft');
    default:
      return KINDS_RUN_BY[role].includes(kind);
  }
}

export type Refusal = { reason: 'role' } | { reason: 'state'; message: string };

const STATE_MESSAGE: Record<SessionAction, string> = {
  view: '',
  edit: '只有草稿状态的测评可以修改；测评开始后问卷和规则即冻结',
  confirm_residents: '只有草稿状态的测评可以确认在村人数',
  issue_slips: '只有草稿或测评中的场次可以发放测评票',
  void_batch: '只有草稿或测评中的场次可以作废测评票',
  paper: '测评不在进行中，不能录入纸质票',
  open: '只有草稿状态的测评可以开始',
  close: '只有测评中的场次可以结束',
  certify: '只有已结束的测评可以确认签字',
  void: '已确认的测评不能作废',
};

/** null when allowed; otherwise why not: the role (403) comes before the state (409). */
export function refusal(role: Role, kind: SessionKind, action: SessionAction, status: SessionStatus): Refusal | null {
  if (!mayAct(role, kind, action, status)) return { reason: 'role' };
  if (!ACTION_STATES[action].from.includes(status)) {
    const message = status === 'void' ? '该测评已作废' : STATE_MESSAGE[action];
    return { reason: 'state', message };
  }
  return null;
}
