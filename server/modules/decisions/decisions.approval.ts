// 常委会审定: in the approval's transaction (the list locked by the caller), each 软弱涣散村 gets its
// case in the campaign the county picked (a campaign of the county or its city for the list's year,
// made by the cases module's own createCaseIn), each 重点防控村 its prevention record, and each entry
// points at what it became. A village with an open case, or already a 重点防控村 of the year, stops
// the approval with its name before anything is written.
import type { Transaction } from 'kysely';
import type { DB } from '../../db/schema.ts';
import { AppError } from '../../errors.ts';
import type { CurrentUser } from '../../lib/access.ts';
import { campaignFor } from '../cases/campaigns.service.ts';
import { chinaDay } from '../cases/cases.rules.ts';
import { createCaseIn, openCaseOf } from '../cases/cases.service.ts';
import { screeningOf } from '../risk/risk.evidence.service.ts';
import * as repo from './decisions.repository.ts';
import { caseTypesFor, isDay, type Level } from './decisions.rules.ts';
import type { StepInput } from './decisions.schemas.ts';
import * as prevention from './prevention.repository.ts';

const invalid = (field: string, message: string): AppError =>
  new AppError('VALIDATION_FAILED', message, [{ field, message }]);

async function pickCampaign(trx: Transaction<DB>, user: CurrentUser, list: repo.ListRow, input: StepInput) {
  if (input.campaignId === undefined) {
    throw invalid('campaignId', '请选择整顿工作：认定的软弱涣散村将列入其中');
  }
  if (input.deadline === undefined || !isDay(input.deadline)) throw invalid('deadline', '请填写整顿期限（YYYY-MM-DD）');
  if (input.deadline <= chinaDay()) throw invalid('deadline', '整顿期限应晚于今天');
  const campaign = await campaignFor(trx, user, input.campaignId);
  const owners = [list.countyId, list.townshipPath[0]];
  if (!owners.includes(campaign.regionId) || campaign.year !== list.year) {
    throw invalid('campaignId', `请选择本县或本市 ${list.year} 年度的整顿工作`);
  }
  return { campaign, deadline: input.deadline };
}

/** Lists the approved villages; returns what it made, for the step's audit event. */
export async function approveIn(
  trx: Transaction<DB>,
  user: CurrentUser,
  list: repo.ListRow,
  input: StepInput,
): Promise<{ campaignId: number | null; cases: number[]; preventions: number[] }> {
  const entries = await repo.entriesOf(trx, list.id);
  const rectify = entries.filter((e) => e.outcome === 'rectify');
  const prevent = entries.filter((e) => e.outcome === 'prevent');
  const target = rectify.length > 0 ? await pickCampaign(trx, user, list, input) : null;

  const open: string[] = [];
  for (const e of rectify) {
    const caseId = await openCaseOf(trx, e.villageId);
    if (caseId !== undefined) open.push(`${e.villageName}（案件编号 ${caseId}）`);
  }
  if (open.length > 0) {
    throw new AppError(
      'CASE_EXISTS',
      `${open.join('、')}已有未结案的整顿案件，不能再列入整顿：请退回调整名单，或先办结原案件`,
    );
  }
  const already = new Set(
    await repo.preventedVillages(
      trx,
      prevent.map((e) => e.villageId),
      list.year,
    ),
  );
  if (already.size > 0) {
    const names = prevent.filter((e) => already.has(e.villageId)).map((e) => e.villageName);
    throw new AppError('INVALID_STATE', `${names.join('、')}已是 ${list.year} 年度的重点防控村`);
  }

  const cases: number[] = [];
  for (const e of rectify) {
    if (!target) break;
    const s = e.screeningId === null ? undefined : await screeningOf(trx, e.villageId, list.year, e.screeningId);
    const caseId = await createCaseIn(trx, user, {
      campaignId: target.campaign.id,
      villageId: e.villageId,
      types: caseTypesFor(s?.types ?? [], target.campaign.caseTypes),
      deadline: target.deadline,
    });
    await repo.linkEntry(trx, list.id, e.villageId, { caseId });
    cases.push(caseId);
  }
  const preventions: number[] = [];
  for (const e of prevent) {
    const s = e.screeningId === null ? undefined : await screeningOf(trx, e.villageId, list.year, e.screeningId);
    const preventionId = await prevention.insertPrevention(trx, {
      villageId: e.villageId,
      countyId: list.countyId,
      year: list.year,
      listId: list.id,
      screeningId: e.screeningId,
      level: e.preventionLevel as Level,
      riskLevel: s?.level ?? 'high',
    });
    await repo.linkEntry(trx, list.id, e.villageId, { preventionId });
    preventions.push(preventionId);
  }
  return { campaignId: target?.campaign.id ?? null, cases, preventions };
}
