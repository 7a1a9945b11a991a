// The console's typed client of the campaigns and rectification-case routes (issue 4). Types come
// from the server's schemas; errors are the same ApiError as every other call (lib/api.ts).
import type { Static } from 'typebox';
import type {
  AvailableActionSchema,
  CampaignView,
  CaseListFilters,
  CaseSessionInput,
  CaseStateSchema,
  CaseSummary,
  CaseView,
  CreateCampaignInput,
  CreateCaseInput,
  FortressGradeSchema,
  LightSchema,
  NewProblemInput,
  PatchCampaignInput,
  PatchCaseInput,
  PatchProblemInput,
  Problem,
  TransitionInput,
} from '../../../server/modules/cases/cases.schemas.ts';
import { request, type SessionView } from './api.ts';

export type {
  CampaignView,
  CaseListFilters,
  CaseSummary,
  CaseView,
  CreateCaseInput,
  NewProblemInput,
  PatchCaseInput,
  Problem,
  TransitionInput,
};
export type CaseState = Static<typeof CaseStateSchema>;
export type FortressGrade = Static<typeof FortressGradeSchema>;
export type Light = Static<typeof LightSchema>;
export type LightColor = Light['color'];
export type AvailableAction = Static<typeof AvailableActionSchema>;
export type CaseTransition = CaseView['transitions'][number];
export type CaseSession = CaseView['sessions'][number];

/** `?a=1&b=x` of the set filters ('' when none), shared by the list call and the export link. */
export function caseQuery(filters: CaseListFilters): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(filters)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

export const casesApi = {
  campaigns: () => request<{ campaigns: CampaignView[] }>('GET', '/api/campaigns'),
  campaign: (id: number) => request<CampaignView>('GET', `/api/campaigns/${id}`),
  createCampaign: (body: CreateCampaignInput) => request<CampaignView>('POST', '/api/campaigns', body),
  updateCampaign: (id: number, body: PatchCampaignInput) =>
    request<CampaignView>('PATCH', `/api/campaigns/${id}`, body),

  cases: (filters: CaseListFilters = {}) => request<{ cases: CaseSummary[] }>('GET', `/api/cases${caseQuery(filters)}`),
  inbox: () => request<{ cases: CaseSummary[] }>('GET', '/api/cases/inbox'),
  get: (id: number) => request<CaseView>('GET', `/api/cases/${id}`),
  create: (body: CreateCaseInput) => request<CaseView>('POST', '/api/cases', body),
  update: (id: number, body: PatchCaseInput) => request<CaseView>('PATCH', `/api/cases/${id}`, body),
  /** the reply is not relied on: the page reads the case again after every change */
  transition: (id: number, body: TransitionInput) => request<unknown>('POST', `/api/cases/${id}/transitions`, body),
  addProblem: (id: number, body: NewProblemInput) => request<Problem>('POST', `/api/cases/${id}/problems`, body),
  updateProblem: (id: number, problemId: number, body: PatchProblemInput) =>
    request<Problem>('PATCH', `/api/cases/${id}/problems/${problemId}`, body),
  createSession: (id: number, body: CaseSessionInput) =>
    request<SessionView>('POST', `/api/cases/${id}/sessions`, body),
};

/** The export of the case list with the same filters as the page (a download, not a fetch). */
export const casesExportUrl = (filters: CaseListFilters): string => `/api/exports/cases.xlsx${caseQuery(filters)}`;
