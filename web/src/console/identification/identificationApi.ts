// The console's typed client of the 认定台账 routes (issue 10 item 7); types from the server's schemas.
import type {
  RegisterReply,
  RegisterVillage,
  SummaryReply,
} from '../../../../server/modules/identification/identification.schemas.ts';
import { request } from '../../lib/api.ts';

export type { RegisterReply, RegisterVillage, SummaryReply };

export {
  GRADES,
  LEVELS,
  matches,
  OUTCOMES,
  REGISTER_OUTCOME_LABEL,
  RISK_TYPES,
  STAGE_LABEL,
  STAGES,
  type DecidedStage,
  type Grade,
  type Level,
  type Outcome,
  type RegisterFilter,
} from '../../../../server/modules/identification/identification.rules.ts';
export { MISSING_LABEL } from '../../../../server/modules/screening/screening.rules.ts';

const q = (regionId: number | null, year: number) => `year=${year}${regionId ? `&regionId=${regionId}` : ''}`;

export const identificationApi = {
  register: (regionId: number | null, year: number) =>
    request<RegisterReply>('GET', `/api/identification?${q(regionId, year)}`),
  summary: (regionId: number | null, year: number) =>
    request<SummaryReply>('GET', `/api/identification/summary?${q(regionId, year)}`),
};

/** The XLSX of the register (a download, not a fetch). */
export const registerExportUrl = (regionId: number | null, year: number): string =>
  `/api/identification.xlsx?${q(regionId, year)}`;
