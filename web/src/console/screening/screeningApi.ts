// 年度排查: the console's calls of /api/screening-rounds (issue 10 item 4a), typed from the server's schemas.
import type { RoundReply } from '../../../../server/modules/screening/screening.schemas.ts';
import { request } from '../../lib/api.ts';

export type { RoundReply };
export type TownshipRow = RoundReply['townships'][number];
export type CountyRow = RoundReply['counties'][number];

export const screeningApi = {
  get: (regionId: number | null, year: number) =>
    request<RoundReply>('GET', `/api/screening-rounds?year=${year}${regionId ? `&regionId=${regionId}` : ''}`),
  open: (year: number) => request<RoundReply>('POST', '/api/screening-rounds', { year }),
  conclude: (id: number) => request<RoundReply>('POST', `/api/screening-rounds/${id}/conclude`),
};

/** Where a missing village is fixed: its 堡垒指数 scoring (未评定) or its risk screening (弱村未排查). */
export const fixLink = (m: TownshipRow['missing'][number], year: number): string =>
  m.reason === 'ungraded' ? `#/grading/${m.villageId}?year=${year}` : `#/risk/${m.villageId}?year=${year}`;
