// Campaigns: a county's or city's yearly rectification campaign, with the case types and the
// questionnaire and rule set its sessions start from. Visible to officials below the owner (a
// township sees its county's campaigns) and within it; changed only by county and city officials
// whose subtree holds the owner. Changing the template affects only sessions created afterwards.
import type { Db } from '../../db/database.ts';
import { AppError, forbidden, notFound } from '../../errors.ts';
import { assertRole, inScope, type CurrentUser } from '../../lib/access.ts';
import { actorOf, recordAudit } from '../audit/audit.service.ts';
import { getRegionInScope } from '../regions/regions.service.ts';
import { defaultQuestionnaire } from '../sessions/questionnaire.ts';
import { assertValid } from '../sessions/sessions.service.ts';
import { defaultRuleSet, describeRules } from '../tallies/tallies.rules.ts';
import * as repo from './campaigns.repository.ts';
import { DEFAULT_CASE_TYPES, LEADER_ROLES } from './cases.rules.ts';
import type { CampaignView, CreateCampaignInput, PatchCampaignInput } from './cases.schemas.ts';

export type { CampaignRow } from './campaigns.repository.ts';
const UNIQUE = 'campaign_region_year_title_key';

const mayEdit = (user: CurrentUser, row: repo.CampaignRow): boolean =>
  LEADER_ROLES.includes(user.role) && inScope(user, row.regionPath);

/** Seen from the user: the owner lies in their subtree, or above them. */
const visible = (user: CurrentUser, row: repo.CampaignRow): boolean =>
  inScope(user, row.regionPath) || user.regionPath.includes(row.regionId);

function toView(user: CurrentUser, row: repo.CampaignRow): CampaignView {
  const { regionPath: _path, ...rest } = row;
  return {
    ...rest,
    ruleText: describeRules(row.rules),
    editable: mayEdit(user, row),
    createdAt: row.createdAt.toISOString(),
  };
}

function cleanTypes(types: readonly string[]): string[] {
  const out = types.map((t) => t.trim());
  const bad = out.findIndex((t, i) => t.length === 0 || out.indexOf(t) !== i);
  if (bad >= 0) {
    const message = out[bad] === '' ? '整顿类型不能为空' : `整顿类型“${out[bad]}”重复`;
    throw new AppError('VALIDATION_FAILED', message, [{ field: `caseTypes.${bad}`, message }]);
  }
  return out;
}

function cleanTitle(title: string): string {
  const t = title.trim();
  if (!t) throw new AppError('VALIDATION_FAILED', '请填写整顿工作名称', [{ field: 'title', message: '不能为空' }]);
  return t;
}

const exists = (year: number, title: string) =>
  new AppError('CAMPAIGN_EXISTS', `该地区已有 ${year} 年度的“${title}”整顿工作`);

/** The campaign if the user may see it; otherwise the one 404. */
export async function campaignFor(db: Db, user: CurrentUser, id: number): Promise<repo.CampaignRow> {
  const row = await repo.findCampaign(db, id);
  if (!row || !visible(user, row)) throw notFound();
  return row;
}

export async function createCampaign(db: Db, user: CurrentUser, input: CreateCampaignInput): Promise<CampaignView> {
  assertRole(user, LEADER_ROLES);
  const region = await getRegionInScope(db, user, input.regionId);
  if (region.level !== 'county' && region.level !== 'city') {
    throw new AppError('VALIDATION_FAILED', '整顿工作只能由县或市设立', [{ field: 'regionId', message: '不是县或市' }]);
  }
  const questionnaire = input.questionnaire ?? defaultQuestionnaire();
  const rules = input.rules ?? defaultRuleSet();
  assertValid(questionnaire, rules);
  const values = {
    regionId: region.id,
    year: input.year,
    title: cleanTitle(input.title),
    caseTypes: cleanTypes(input.caseTypes ?? DEFAULT_CASE_TYPES),
    requireFortressGrade: input.requireFortressGrade ?? true,
    questionnaire,
    rules,
    createdBy: user.id,
  };
  try {
    const id = await db.transaction().execute(async (trx) => {
      const newId = await repo.insertCampaign(trx, values);
      await recordAudit(
        trx,
        actorOf(user),
        'campaign.create',
        { type: 'campaign', id: newId, regionId: region.id },
        {
          year: values.year,
          title: values.title,
          caseTypes: values.caseTypes,
          requireFortressGrade: values.requireFortressGrade,
        },
      );
      return newId;
    });
    return getCampaign(db, user, id);
  } catch (err) {
    if (repo.isUniqueViolation(err, UNIQUE)) throw exists(values.year, values.title);
    throw err;
  }
}

export async function listCampaigns(db: Db, user: CurrentUser): Promise<CampaignView[]> {
  const rows = await repo.listVisible(db, user.regionId, user.regionPath);
  return rows.map((r) => toView(user, r));
}

export async function getCampaign(db: Db, user: CurrentUser, id: number): Promise<CampaignView> {
  return toView(user, await campaignFor(db, user, id));
}

export async function updateCampaign(
  db: Db,
  user: CurrentUser,
  id: number,
  patch: PatchCampaignInput,
): Promise<CampaignView> {
  const row = await campaignFor(db, user, id);
  if (!mayEdit(user, row)) throw forbidden();
  const changes: repo.CampaignChanges = {
    ...(patch.title !== undefined ? { title: cleanTitle(patch.title) } : {}),
    ...(patch.caseTypes ? { caseTypes: cleanTypes(patch.caseTypes) } : {}),
    ...(patch.requireFortressGrade !== undefined ? { requireFortressGrade: patch.requireFortressGrade } : {}),
    ...(patch.questionnaire ? { questionnaire: patch.questionnaire } : {}),
    ...(patch.rules ? { rules: patch.rules } : {}),
  };
  if (patch.questionnaire || patch.rules) {
    assertValid(patch.questionnaire ?? row.questionnaire, patch.rules ?? row.rules);
  }
  try {
    await db.transaction().execute(async (trx) => {
      await repo.lockCampaign(trx, id);
      if (changes.caseTypes) await assertTypesKept(trx, id, row.caseTypes, changes.caseTypes);
      await repo.updateCampaign(trx, id, changes);
      await recordAudit(
        trx,
        actorOf(user),
        'campaign.update',
        { type: 'campaign', id, regionId: row.regionId },
        {
          fields: Object.keys(patch).sort(),
        },
      );
    });
  } catch (err) {
    if (repo.isUniqueViolation(err, UNIQUE)) throw exists(row.year, changes.title ?? row.title);
    throw err;
  }
  return getCampaign(db, user, id);
}

/** A type some case of the campaign uses may not be removed from its list. */
async function assertTypesKept(db: Db, id: number, before: string[], after: string[]): Promise<void> {
  const removed = before.filter((t) => !after.includes(t));
  const used = await repo.typesInUse(db, id, removed);
  if (used.length > 0) {
    throw new AppError('INVALID_STATE', `整顿类型“${used.join('”“')}”已有案件使用，不能删除`);
  }
}
