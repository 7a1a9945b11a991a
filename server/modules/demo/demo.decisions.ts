// 年度排查 and 三级认定 of the demo county in the demo campaign's year, through the services, in the
// seed's transaction: the county opens the year's round and, every village being screened
// (demo.grading.ts), concludes it; each township's list is made from its screenings and taken
// through the three levels: 东山镇 (柳溪村 → 重点防控村, three-level prevention) and 西河乡 (西河村 →
// 软弱涣散村, its case made by the approval in the demo campaign, then given the demo's plan,
// responsible people and problems and started). A round or list already there is left as it is
// (the seed never takes a step a user may have taken or undone); 西河乡's list is not made when
// 西河村 already has an open case (a demo database seeded before the lists existed).
import type { Transaction } from 'kysely';
import type { DB } from '../../db/schema.ts';
import { AppError } from '../../errors.ts';
import type { CurrentUser } from '../../lib/access.ts';
import { CLI_ACTOR, recordAudit } from '../audit/audit.service.ts';
import { chinaDay } from '../cases/cases.rules.ts';
import { openCaseOf } from '../cases/cases.service.ts';
import { createListIn, listOfTownship, takeStepIn } from '../decisions/decisions.service.ts';
import { getRegion } from '../regions/regions.service.ts';
import { concludeRoundIn, openRoundIn, roundOf } from '../screening/screening.service.ts';
import { DEMO_CASE_DAYS, demoCase, inDays } from './demo.cases.ts';
import * as repo from './demo.repository.ts';

export interface DemoListRef {
  townshipId: number;
  listId: number;
  stage: string;
}

export interface DemoIdentification {
  roundId: number | null;
  roundStatus: string | null;
  lists: DemoListRef[];
  /** the demo case in 西河村 (made by the approval of 西河乡's list) */
  caseId: number | null;
}

/** The meetings' days in the demo year, none after today (the step rules refuse a future day). */
function meetingDays(year: number) {
  const today = chinaDay();
  const day = (md: string) => (`${year}-${md}` < today ? `${year}-${md}` : today);
  return { propose: day('11-10'), determine: day('11-19'), approve: day('11-26') };
}

const DECISION = {
  propose: '经乡镇党委会研究，同意按排查建议提交本乡镇年度认定名单，报县委组织部初步认定。',
  determine: '经部务会研究，同意乡镇党委提交的认定名单，报县委常委会审定。',
  approve: '经县委常委会审定，同意认定；软弱涣散村列入本年度整顿，重点防控村落实防控措施。',
};

export async function ensureDemoIdentification(
  trx: Transaction<DB>,
  people: { county: CurrentUser; townships: CurrentUser[] },
  at: { year: number; campaignId: number; caseVillageId: number },
  created: { cases: number },
): Promise<DemoIdentification> {
  const { county } = people;
  const region = await getRegion(trx, county.regionId);
  if (!region) throw new AppError('INTERNAL', '演示数据不完整');
  let round = await roundOf(trx, region.id, at.year);
  if (!round) {
    await openRoundIn(trx, county, region, at.year);
    round = await roundOf(trx, region.id, at.year);
    if (round) await concludeRoundIn(trx, county, round);
    round = await roundOf(trx, region.id, at.year);
  }

  const days = meetingDays(at.year);
  const documentNo = { determine: `示组通〔${at.year}〕12号`, approve: `示委〔${at.year}〕35号` };
  const lists: DemoListRef[] = [];
  for (const township of people.townships) {
    const found = await listOfTownship(trx, township.regionId, at.year);
    if (found) {
      lists.push({ townshipId: township.regionId, listId: found.id, stage: found.stage });
      continue;
    }
    const own = await getRegion(trx, township.regionId);
    if (!own) continue;
    const hasCaseVillage = own.id === (await getRegion(trx, at.caseVillageId))?.parentId;
    if (hasCaseVillage && (await openCaseOf(trx, at.caseVillageId)) !== undefined) continue;
    const listId = await createListIn(trx, township, own, at.year);
    await takeStepIn(trx, township, listId, {
      action: 'propose',
      meeting: '乡镇党委会',
      meetingDate: days.propose,
      decision: DECISION.propose,
    });
    await takeStepIn(trx, county, listId, {
      action: 'determine',
      meeting: '部务会',
      meetingDate: days.determine,
      documentNo: documentNo.determine,
      decision: DECISION.determine,
    });
    const made = await takeStepIn(trx, county, listId, {
      action: 'approve',
      meeting: '常委会',
      meetingDate: days.approve,
      documentNo: documentNo.approve,
      decision: DECISION.approve,
      campaignId: at.campaignId,
      deadline: inDays(DEMO_CASE_DAYS),
    });
    for (const id of made.cases ?? []) {
      const start = { officialId: county.id, actorName: county.displayName, actorRole: 'county' };
      if (await repo.startListedCase(trx, id, demoCase(start))) {
        await recordAudit(
          trx,
          CLI_ACTOR,
          'case.start',
          { type: 'rectification_case', id, regionId: at.caseVillageId },
          { from: 'listed', to: 'rectifying', source: 'seed:demo' },
        );
      }
      created.cases++;
    }
    lists.push({ townshipId: township.regionId, listId, stage: 'approved' });
  }
  const caseId = (await repo.caseIn(trx, at.campaignId, at.caseVillageId)) ?? null;
  return { roundId: round?.id ?? null, roundStatus: round?.status ?? null, lists, caseId };
}
