// The console's typed client of the board routes (issue 9: the 工作台 of townships, counties and
// cities). Types come from the server's schemas; errors are the same ApiError as every
// other call (lib/api.ts). Results of open sessions never come here: turnout only.
import type { Static } from 'typebox';
import type {
  Board,
  BoardSession,
  BoardVillage,
  History,
  NextStepSchema,
  Turnout,
} from '../../../../server/modules/board/board.schemas.ts';
import { request } from '../../lib/api.ts';

export type { BoardVillage, History as HistoryReply };
export type BoardReply = Board;
export type LatestSession = BoardSession;
export type BoardVerdict = NonNullable<BoardSession['verdict']>;
export type Outcome = BoardVerdict['outcome'];
export type RegionRef = Board['region'];
export type NextStep = Static<typeof NextStepSchema>;
export type TurnoutRow = Turnout['sessions'][number];

/** `?regionId=1&year=2026` of the set parameters ('' when none). */
function query(params: Record<string, number | null | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== null && v !== undefined) q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

export const boardApi = {
  board: (regionId: number | null, year: number | null) =>
    request<BoardReply>('GET', `/api/board${query({ regionId, year })}`),
  turnout: (regionId: number | null) => request<Turnout>('GET', `/api/board/turnout${query({ regionId })}`),
  history: (regionId: number | null) => request<History>('GET', `/api/board/history${query({ regionId })}`),
};

/** The XLSX of the board (a download, not a fetch), for the region and year on the page. */
export const boardExportUrl = (regionId: number | null, year: number | null): string =>
  `/api/board.xlsx${query({ regionId, year })}`;
