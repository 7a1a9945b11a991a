// The console's typed client of the 负面清单 routes (issue 10 item 3); types from the server's schemas.
import type {
  ListReply,
  ListView,
  PutListInput,
  RiskVillagesReply,
  ScreeningInput,
  ScreeningView,
} from '../../../../server/modules/risk/risk.schemas.ts';
import { request } from '../../lib/api.ts';

export type { ListReply, ListView, PutListInput, RiskVillagesReply, ScreeningInput, ScreeningView };
export type RiskItem = ListView['items'][number];

export {
  describeRisk,
  LEVEL_LABEL,
  OUTCOME_LABEL,
  PREVENTION_LABEL,
  propose,
  RISK_TYPE_LABEL,
  RISK_TYPES,
  scoreOf,
  type RiskType,
} from '../../../../server/modules/risk/risk.rules.ts';

const q = (regionId: number | null, year: number) => `year=${year}${regionId ? `&regionId=${regionId}` : ''}`;

export const riskApi = {
  list: (regionId: number | null, year: number) => request<ListReply>('GET', `/api/risk/list?${q(regionId, year)}`),
  createList: (regionId: number, year: number, from: 'defaults' | 'previous') =>
    request<ListView>('POST', '/api/risk/lists', { regionId, year, from }),
  putList: (id: number, body: PutListInput) => request<ListView>('PUT', `/api/risk/lists/${id}`, body),
  villages: (regionId: number | null, year: number) =>
    request<RiskVillagesReply>('GET', `/api/risk/villages?${q(regionId, year)}`),
  village: (villageId: number, year: number) =>
    request<ScreeningView>('GET', `/api/risk/villages/${villageId}?year=${year}`),
  screen: (villageId: number, body: ScreeningInput) =>
    request<ScreeningView>('POST', `/api/risk/villages/${villageId}/screenings`, body),
};

export const RISK_DEFAULTS_NOTE =
  '来源材料只列出了四种类型和“政治功能不强、矛盾纠纷多发频发、移风易俗推进滞后”等问题，没有给出分值和等级线。本系统提供的默认清单（14 项，分值 1–3；合计 8 分及以上为高风险、4 分及以上为中风险）只是示例，县委组织部可以修改。认定结果只是建议，最终由乡镇党委会、县委组织部部务会、县委常委会三级研究决定。';
