// What creating a session would do for its village's case, asked while the form is filled in
// (GET /api/villages/:id/session-context), and the title a session gets when left as proposed.
import type { Static } from 'typebox';
import type { SessionContextReply } from '../../../../server/modules/sessions/sessions.schemas.ts';
import { request, type SessionKind } from '../../lib/api.ts';
import { KIND_LABEL } from './rules.ts';

export type SessionContext = Static<typeof SessionContextReply>;

export const sessionContext = (villageId: number, kind: SessionKind) =>
  request<SessionContext>('GET', `/api/villages/${villageId}/session-context?kind=${kind}`);

/** The year in China time: the server names sessions by it too (serving.rules chinaYear). */
export function chinaYear(now = new Date()): number {
  return Number(new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric' }).format(now));
}

/** e.g. 东山村 2026年度村级自评, as the server names a session left untitled. */
export function proposedTitle(villageName: string | null, kind: SessionKind, year = chinaYear()): string {
  return `${villageName ? `${villageName} ` : ''}${year}年度${KIND_LABEL[kind]}`;
}
