// The campaign page's names for the shared client (lib/casesApi.ts).
import type { CampaignView } from '../../lib/casesApi.ts';

export type Campaign = CampaignView;

export const DEFAULT_CASE_TYPES = ['班子战斗力不强', '推进乡村振兴缓慢', '矛盾问题突出', '村容村貌较差'];
