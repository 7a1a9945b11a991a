// The demo campaign of 示范县. Its one case under rectification, in 西河乡西河村, comes from the
// 常委会's approval of 西河乡's list (demo.decisions.ts); DEMO_CASE is what the county then gave it
// (plan, responsible people, problems) before starting it. 东山村 (demo_village's village) stays
// unlisted: a new user lists it. Only what is missing is added; every addition is audited.
import type { Transaction } from 'kysely';
import type { DB } from '../../db/schema.ts';
import { CLI_ACTOR, recordAudit } from '../audit/audit.service.ts';
import { DEFAULT_CASE_TYPES } from '../cases/cases.rules.ts';
import { chinaDay } from '../cases/cases.rules.ts';
import { defaultQuestionnaire } from '../sessions/questionnaire.ts';
import { defaultRuleSet } from '../tallies/tallies.rules.ts';
import * as repo from './demo.repository.ts';

export const DEMO_CAMPAIGN = { year: 2026, title: '2026年度软弱涣散村党组织整顿' };
export const DEMO_CASE_VILLAGE = '西河村';

export interface DemoCasesCreated {
  campaigns: number;
  cases: number;
}

/** YYYY-MM-DD, `days` after today in China. */
export const inDays = (days: number): string => chinaDay(new Date(Date.now() + days * 86_400_000));

/** The case's deadline set on approval (the approval refuses a deadline that is not after today). */
export const DEMO_CASE_DAYS = 120;

export const demoCase = (start: repo.DemoCase['start']): repo.DemoCase => ({
  plan: '一村一策：调整充实村“两委”班子，建立村务公开月报制度；整治村内主干道和沟渠环境。',
  responsible: {
    countyLeader: '县委常委 王建国',
    townshipLeader: '西河乡党委副书记 李明',
    firstSecretary: '县财政局 张伟',
    pairedUnit: '县财政局',
  },
  problems: [
    { description: '村务、财务公开不及时，群众反映看不到账目', owner: '村党支部书记', deadline: inDays(45) },
    { description: '村内主干道破损、沟渠淤堵', owner: '村委会主任', deadline: inDays(90) },
  ],
  start,
});

export async function ensureDemoCampaign(
  trx: Transaction<DB>,
  created: DemoCasesCreated,
  at: { countyId: number; county: { id: number } },
): Promise<number> {
  const found = await repo.findCampaign(trx, at.countyId, DEMO_CAMPAIGN.year, DEMO_CAMPAIGN.title);
  if (found) return found.id;
  const campaignId = await repo.insertCampaign(trx, {
    regionId: at.countyId,
    ...DEMO_CAMPAIGN,
    caseTypes: [...DEFAULT_CASE_TYPES],
    questionnaire: defaultQuestionnaire(),
    rules: defaultRuleSet(),
    createdBy: at.county.id,
  });
  await recordAudit(
    trx,
    CLI_ACTOR,
    'campaign.create',
    { type: 'campaign', id: campaignId, regionId: at.countyId },
    {
      ...DEMO_CAMPAIGN,
      source: 'seed:demo',
    },
  );
  created.campaigns++;
  return campaignId;
}
