// The demo campaign of 示范县 and one case under rectification in 西河乡, so the county overview
// is not empty on a fresh start. 东山村 (demo_village's village) stays unlisted: a new user lists it.
// Only what is missing is added; every addition is audited with the command line as its actor.
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
const inDays = (days: number): string => chinaDay(new Date(Date.now() + days * 86_400_000));

export async function ensureDemoCases(
  trx: Transaction<DB>,
  created: DemoCasesCreated,
  at: { countyId: number; villageId: number; county: { id: number; displayName: string } },
): Promise<number> {
  let campaignId = (await repo.findCampaign(trx, at.countyId, DEMO_CAMPAIGN.year, DEMO_CAMPAIGN.title))?.id;
  if (campaignId === undefined) {
    campaignId = await repo.insertCampaign(trx, {
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
  }
  if (await repo.findCase(trx, at.villageId)) return campaignId;
  const caseId = await repo.insertRectifyingCase(trx, {
    campaignId,
    villageId: at.villageId,
    types: ['班子战斗力不强', '村容村貌较差'],
    plan: '一村一策：调整充实村“两委”班子，建立村务公开月报制度；整治村内主干道和沟渠环境。',
    responsible: {
      countyLeader: '县委常委 王建国',
      townshipLeader: '西河乡党委副书记 李明',
      firstSecretary: '县财政局 张伟',
      pairedUnit: '县财政局',
    },
    deadline: inDays(120),
    createdBy: at.county.id,
    problems: [
      { description: '村务、财务公开不及时，群众反映看不到账目', owner: '村党支部书记', deadline: inDays(45) },
      { description: '村内主干道破损、沟渠淤堵', owner: '村委会主任', deadline: inDays(90) },
    ],
    start: { officialId: at.county.id, actorName: at.county.displayName, actorRole: 'county' },
  });
  await recordAudit(
    trx,
    CLI_ACTOR,
    'case.create',
    { type: 'rectification_case', id: caseId, regionId: at.villageId },
    {
      campaignId,
      state: 'rectifying',
      source: 'seed:demo',
    },
  );
  created.cases++;
  return campaignId;
}
