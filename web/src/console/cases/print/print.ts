// Pure helpers of the printed records.
import { ROLE_LABEL } from '../../../lib/labels.ts';
import type { CaseSession, CaseTransition, CaseView } from '../../../lib/casesApi.ts';

export type { CaseSession, CaseView };
export type Transition = CaseTransition;

const byClosing = (a: CaseSession, b: CaseSession) => (a.closedAt ?? '').localeCompare(b.closedAt ?? '');

/** The self-evaluation an application rests on: the one the last `apply` cited, else the latest
 * closed or certified self-evaluation of the case (the one an application now would rest on). */
export function applicationSession(c: CaseView): { apply: Transition | null; session: CaseSession | null } {
  const apply = c.transitions.filter((t) => t.action === 'apply').at(-1) ?? null;
  const closed = c.sessions
    .filter((s) => s.kind === 'self_evaluation' && (s.status === 'closed' || s.status === 'certified'))
    .sort(byClosing);
  const cited = apply?.sessionId ? c.sessions.find((s) => s.id === apply.sessionId) : undefined;
  return { apply, session: cited ?? closed.at(-1) ?? null };
}

/** The callback survey a county acceptance rests on: the one it cited, else the latest closed one. */
export function callbackSession(c: CaseView, countyPass: Transition | null): CaseSession | null {
  const cited = countyPass?.sessionId ? c.sessions.find((s) => s.id === countyPass.sessionId) : undefined;
  const closed = c.sessions.filter((s) => s.kind === 'county_callback' && s.verdict !== null).sort(byClosing);
  return cited ?? closed.at(-1) ?? null;
}

/** 2025 年 3 月 1 日, in the browser's time zone (the officials' own). */
export function formatDay(iso: string | null): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return `${d.getFullYear()} 年 ${d.getMonth() + 1} 月 ${d.getDate()} 日`;
}

/** Who took a step: 王建国（乡镇党委）, or just 青山县委组织部 when the name already says it. */
export function actorText(t: Transition): string {
  const role = ROLE_LABEL[t.actorRole as keyof typeof ROLE_LABEL] ?? t.actorRole;
  return t.actorName.includes(role) ? t.actorName : `${t.actorName}（${role}）`;
}
