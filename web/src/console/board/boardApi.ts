// The console's typed client of the board routes (issue 9: the 工作台 of townships, counties and
// cities). Types come from the server's schemas; errors are the same ApiError as every
// other call (lib/api.ts). Results of open sessions never come here: turnout only. The reply
// sends each rule text once and no labels; the pages read it as board.view puts it together.
import type { Board, History, Turnout } from '../../../../server/modules/board/board.schemas.ts';
import {
  boardView,
  type BoardView,
  type NextStepView,
  type SessionView,
  type VerdictView,
  type VillageView,
} from '../../../../server/modules/board/board.view.ts';
import { request } from '../../lib/api.ts';

export type { History as HistoryReply };
export type BoardReply = BoardView;
export type BoardVillage = VillageView;
export type LatestSession = SessionView;
export type BoardVerdict = VerdictView;
export type Outcome = BoardVerdict['outcome'];
export type RegionRef = Board['region'];
export type NextStep = NextStepView;
export type TurnoutRow = Turnout['sessions'][number];

/** `?regionId=1&year=2026` of the set parameters ('' when none). */
function query(params: Record<string, number | null | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== null && v !== undefined) q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

export const boardApi = {
  board: async (regionId: number | null, year: number | null): Promise<BoardReply> =>
    boardView(await request<Board>('GET', `/api/board${query({ regionId, year })}`)),
  turnout: (regionId: number | null) => request<Turnout>('GET', `/api/board/turnout${query({ regionId })}`),
  history: (regionId: number | null) => request<History>('GET', `/api/board/history${query({ regionId })}`),
};

/** The XLSX of the board (a download, not a fetch), for the region and year on the page. */
export const boardExportUrl = (regionId: number | null, year: number | null): string =>
  `/api/board.xlsx${query({ regionId, year })}`;
