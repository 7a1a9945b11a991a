// Live turnout written into the board's rows in place (pure: the polling lives in board.svelte.ts).
import type { BoardVillage, TurnoutRow } from './boardApi.ts';

/** The villages with the turnout of `rows` written into their open sessions; null when the rows
 * name a session the board does not show open (the board must be read again). */
export function withTurnout(villages: readonly BoardVillage[], rows: readonly TurnoutRow[]): BoardVillage[] | null {
  const byId = new Map(rows.map((r) => [r.sessionId, r]));
  const shownOpen = villages.flatMap((v) => v.latest.filter((s) => s.status === 'open').map((s) => s.sessionId));
  if (shownOpen.some((id) => byId.get(id)?.status !== 'open')) return null;
  const known = new Set(villages.flatMap((v) => v.latest.map((s) => s.sessionId)));
  if (rows.some((r) => r.status === 'open' && !known.has(r.sessionId))) return null;
  return villages.map((v) => {
    const changed = v.latest.some((s) => {
      const r = byId.get(s.sessionId);
      return r && (r.used !== s.used || r.issued !== s.issued || r.status !== s.status);
    });
    if (!changed) return v;
    const latest = v.latest.map((s) => {
      const r = byId.get(s.sessionId);
      return r ? { ...s, status: r.status, issued: r.issued, used: r.used, residentsPresent: r.residentsPresent } : s;
    });
    return { ...v, latest };
  });
}
