// Which rectification case a new session serves, as pure functions. A session created for a listed
// village belongs to that village's case, whichever page starts it; its kind decides the step it
// serves (cases.rights SESSION_KIND_OF_STATE), and a case that cannot use the kind now refuses it
// with the reason. A session for a village with no case counts for nothing: the creator must say
// they know (acknowledgeNoCase), having been told before (GET /api/villages/:id/session-context).
import { caseSessionRefusal } from '../cases/cases.rights.ts';
import { STATE_LABEL, type CaseState } from '../cases/cases.rules.ts';
import { KIND_LABEL, type SessionKind } from './sessions.rules.ts';

/** The case a village's new session could serve: its active case, else the one under look-back. */
export interface ServableCase {
  id: number;
  state: CaseState;
  /** the case that replaced it after a failed look-back, if any */
  relistedAs: number | null;
}

export interface SessionContext {
  case: { id: number; state: CaseState; stateLabel: string } | null;
  /** the new session will belong to the case and its verdict count for it */
  serves: boolean;
  /** false: the case cannot use this kind now, and creation is refused with `message` */
  allowed: boolean;
  /** the session will serve no case: creation needs acknowledgeNoCase */
  needsAcknowledgement: boolean;
  message: string;
}

export const NO_CASE_ACKNOWLEDGEMENT = '我知道此测评不计入任何整顿案件的验收';

export function sessionContextOf(kind: SessionKind, villageName: string, c: ServableCase | null): SessionContext {
  if (!c) {
    return {
      case: null,
      serves: false,
      allowed: true,
      needsAcknowledgement: true,
      message: `${villageName}没有进行中的整顿案件，此${KIND_LABEL[kind]}不计入任何整顿案件的验收。如该村随后被列入整顿，须在案件中重新组织测评。`,
    };
  }
  const stateLabel = STATE_LABEL[c.state];
  const shown = { id: c.id, state: c.state, stateLabel };
  const why = caseSessionRefusal(c.state, kind, c.relistedAs);
  if (why) {
    return {
      case: shown,
      serves: false,
      allowed: false,
      needsAcknowledgement: false,
      message: `${villageName}正在整顿（案件 ${c.id}），不能新建${KIND_LABEL[kind]}：${why}。`,
    };
  }
  return {
    case: shown,
    serves: true,
    allowed: true,
    needsAcknowledgement: false,
    message: `此${KIND_LABEL[kind]}属于${villageName}的整顿案件（案件 ${c.id}，当前“${stateLabel}”），结束后结果计入该案件的验收。`,
  };
}

/** The calendar year in China time (UTC+8, no daylight saving). */
export function chinaYear(now: Date): number {
  return new Date(now.getTime() + 8 * 3600_000).getUTCFullYear();
}

/** The title of a session whose creator left it blank: the village and the kind, e.g. 东山村 2026年度村级自评. */
export function defaultTitle(villageName: string, kind: SessionKind, year: number): string {
  return `${villageName} ${year}年度${KIND_LABEL[kind]}`;
}
