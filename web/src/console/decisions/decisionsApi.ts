// The console's typed client of the 三级认定 and 重点防控村 routes (issue 10 items 5-6); types from the server's schemas.
import type {
  CaseIdentificationReply,
  CaseReviewInput,
  EntryView,
  ListsReply,
  ListView,
  PreventionReviewInput,
  PreventionsReply,
  PreventionView,
  PutListInput,
  StepInput,
  StepView,
} from '../../../../server/modules/decisions/decisions.schemas.ts';
import { request } from '../../lib/api.ts';

export type {
  CaseIdentificationReply,
  EntryView,
  ListsReply,
  ListView,
  PreventionReviewInput,
  PreventionsReply,
  PreventionView,
  PutListInput,
  StepInput,
  StepView,
};
export {
  ACTION_LABEL,
  availableActions,
  edgeOf,
  entryRefusal,
  LEVEL_NAME,
  loweringRefusal,
  STAGE_LABEL,
  type Action,
  type Level,
  type Outcome,
} from '../../../../server/modules/decisions/decisions.rules.ts';

const q = (regionId: number | null, year: number) => `year=${year}${regionId ? `&regionId=${regionId}` : ''}`;

export const decisionsApi = {
  lists: (regionId: number | null, year: number) =>
    request<ListsReply>('GET', `/api/identification-lists?${q(regionId, year)}`),
  create: (townshipId: number, year: number) =>
    request<ListView>('POST', '/api/identification-lists', { townshipId, year }),
  get: (id: number) => request<ListView>('GET', `/api/identification-lists/${id}`),
  put: (id: number, body: PutListInput) => request<ListView>('PUT', `/api/identification-lists/${id}`, body),
  step: (id: number, body: StepInput) => request<ListView>('POST', `/api/identification-lists/${id}/steps`, body),
  preventions: (regionId: number | null, year: number) =>
    request<PreventionsReply>('GET', `/api/prevention-records?${q(regionId, year)}`),
  reviewPrevention: (id: number, body: PreventionReviewInput) =>
    request<PreventionView>('POST', `/api/prevention-records/${id}/reviews`, body),
  caseIdentification: (caseId: number) =>
    request<CaseIdentificationReply>('GET', `/api/cases/${caseId}/identification`),
  reviewCase: (caseId: number, body: CaseReviewInput) =>
    request<CaseIdentificationReply>('POST', `/api/cases/${caseId}/risk-reviews`, body),
};

export const RISK_LEVEL_LABEL = { high: '高风险', middle: '中风险', low: '低风险' } as const;
export const OUTCOME_SHORT = { rectify: '软弱涣散村', prevent: '重点防控村', none: '不作认定' } as const;
export const MEETING_OF = { propose: '乡镇党委会', determine: '部务会', approve: '常委会' } as const;

/** A moment as China-time 'YYYY-MM-DD HH:mm'. */
export function shortTime(iso: string | Date): string {
  const d = new Date(new Date(iso).getTime() + 8 * 3600_000);
  return d.toISOString().slice(0, 16).replace('T', ' ');
}
