// Exit and the next cycle (issue 10 item 6). A 重点防控村 record keeps its 防控措施等级; when the
// village's risk is under control the county records a review with the new risk level and may lower
// the level one step (一级 → 二级 → 三级 → 解除, decisions.rules.ts loweringRefusal). When a case
// has exited (exited or under look-back) the county records the village's new risk level on it.
// Reviews are append-only. The case page also shows its 认定依据 (the list entry, the grade and
// screening it rests on, the department reports, the three steps) and, under look-back, the
// village's grade and screening of the year after the campaign's (回头看).
import type { Db } from '../../db/database.ts';
import { AppError, notFound } from '../../errors.ts';
import { assertInScope, assertRole, type CurrentUser, type Role } from '../../lib/access.ts';
import { actorOf, recordAudit } from '../audit/audit.service.ts';
import { caseFor } from '../cases/cases.service.ts';
import { CLOSED_STATES } from '../cases/cases.rules.ts';
import { gradeOfYear } from '../grading/grading.service.ts';
import { getRegionInScope } from '../regions/regions.service.ts';
import {
  latestScreeningOf,
  levelLabel,
  presentItemsOf,
  screeningOf,
  type ScreeningEvidence,
} from '../risk/risk.evidence.service.ts';
import { OUTCOME_LABEL, PREVENTION_LABEL, RISK_TYPE_LABEL } from '../risk/risk.rules.ts';
import * as repo from './decisions.repository.ts';
import { LEVEL_NAME, loweringRefusal, loweringText } from './decisions.rules.ts';
import type {
  CaseIdentificationReply,
  CaseReviewInput,
  PreventionReviewInput,
  PreventionsReply,
  PreventionView,
  ReviewView,
} from './decisions.schemas.ts';
import { READERS, invalid } from './decisions.service.ts';
import { toStepView } from './decisions.view.ts';
import * as store from './prevention.repository.ts';

const STATUS_LABEL = { active: '防控中', lifted: '已解除' } as const;

function toReview(r: store.ReviewRow): ReviewView {
  return {
    id: r.id,
    riskLevel: r.riskLevel,
    riskLevelLabel: levelLabel(r.riskLevel),
    fromLevel: r.fromLevel,
    toLevel: r.toLevel,
    change: r.fromLevel === null ? null : loweringText(r.fromLevel, r.toLevel),
    note: r.note,
    actorName: r.actorName,
    at: r.at.toISOString(),
  };
}

async function toPreventionView(db: Db, user: CurrentUser, row: store.PreventionRow): Promise<PreventionView> {
  const reviews = await store.reviewsOfPrevention(db, row.id);
  return {
    id: row.id,
    villageId: row.villageId,
    villageName: row.villageName,
    townshipName: row.townshipName,
    year: row.year,
    listId: row.listId,
    level: row.level,
    levelLabel: `${LEVEL_NAME[row.level]}防控`,
    riskLevel: row.riskLevel,
    riskLevelLabel: levelLabel(row.riskLevel),
    status: row.status,
    statusLabel: STATUS_LABEL[row.status],
    reviews: reviews.map(toReview),
    mayReview: user.role === 'county' && row.status === 'active',
  };
}

/** 重点防控村 of the year under the region (a county, township or city). */
export async function listPreventions(
  db: Db,
  user: CurrentUser,
  query: { regionId?: number | undefined; year: number },
): Promise<PreventionsReply> {
  assertRole(user, READERS);
  const region = await getRegionInScope(db, user, query.regionId ?? user.regionId);
  if (region.level === 'village') throw invalid('regionId', '请选择乡镇、县或市');
  const rows = await store.preventionsUnder(db, region.id, query.year);
  return { year: query.year, records: await Promise.all(rows.map((r) => toPreventionView(db, user, r))) };
}

/** 调低防控措施等级: the county records the risk level and the new level (or lifts the record). */
export async function reviewPrevention(
  db: Db,
  user: CurrentUser,
  id: number,
  input: PreventionReviewInput,
): Promise<PreventionView> {
  assertRole(user, ['county']);
  const found = await store.findPrevention(db, id);
  assertInScope(user, found?.villagePath);
  const note = input.note.trim();
  if (!note) throw invalid('note', '请写明防控成效和调整理由');
  await db.transaction().execute(async (trx) => {
    const row = await store.lockPrevention(trx, id);
    if (!row) throw notFound();
    if (row.status === 'lifted') throw new AppError('INVALID_STATE', '该村已解除重点防控，不能再调整');
    if (input.fromLevel !== undefined && input.fromLevel !== row.level) {
      throw new AppError(
        'CONFLICT',
        `该村的防控措施等级已调整为${LEVEL_NAME[row.level]}防控（在您打开此页之后），请刷新后再复核`,
      );
    }
    const why = loweringRefusal(row.level, input.toLevel);
    if (why) throw invalid('toLevel', why);
    const reviewId = await store.insertReview(trx, {
      villageId: row.villageId,
      caseId: null,
      preventionId: id,
      riskLevel: input.riskLevel,
      fromLevel: row.level,
      toLevel: input.toLevel,
      note,
      officialId: user.id,
      actorName: user.displayName || user.username,
    });
    await store.updatePrevention(trx, id, {
      level: input.toLevel ?? row.level,
      riskLevel: input.riskLevel,
      status: input.toLevel === null ? 'lifted' : 'active',
    });
    await recordAudit(
      trx,
      actorOf(user),
      'prevention.review',
      { type: 'prevention_record', id, regionId: row.villageId },
      { reviewId, riskLevel: input.riskLevel, from: row.level, to: input.toLevel },
    );
  });
  return toPreventionView(db, user, (await store.findPrevention(db, id)) as store.PreventionRow);
}

function brief(s: ScreeningEvidence) {
  const proposal = OUTCOME_LABEL[s.outcome];
  return {
    id: s.id,
    year: s.year,
    score: s.score,
    levelLabel: levelLabel(s.level),
    typeLabels: s.types.map((t) => RISK_TYPE_LABEL[t]),
    proposal: s.preventionLevel === null ? proposal : `${proposal}（${PREVENTION_LABEL[s.preventionLevel]}防控）`,
    actorName: s.actorName,
    screenedAt: s.screenedAt.toISOString(),
  };
}

async function basisOf(db: Db, caseId: number): Promise<CaseIdentificationReply['basis']> {
  const entry = await repo.entryOfCase(db, caseId);
  if (!entry) return null;
  const list = (await repo.findList(db, entry.listId)) as repo.ListRow;
  const screening =
    entry.screeningId === null ? undefined : await screeningOf(db, entry.villageId, list.year, entry.screeningId);
  const [grade, items, reports, steps] = await Promise.all([
    gradeOfYear(db, entry.villageId, list.year),
    screening ? presentItemsOf(db, screening) : Promise.resolve([]),
    repo.reportsOf(db, entry.villageId, list.year),
    repo.stepsOf(db, list.id),
  ]);
  return {
    listId: list.id,
    year: list.year,
    townshipName: list.townshipName,
    note: entry.note,
    grade,
    screening: screening
      ? {
          ...brief(screening),
          items: items.map(({ typeLabel, title, weight, evidence }) => ({ typeLabel, title, weight, evidence })),
        }
      : null,
    reports,
    steps: steps.map(toStepView),
  };
}

/** Roles let through to the case routes: the case's scope is checked first (404), then the role (403). */
export const CASE_ROLES: readonly Role[] = ['city', 'county', 'township', 'village'];

/** The case page's 认定依据, its risk reviews and, under look-back, the next year's grade and screening. */
export async function caseIdentification(db: Db, user: CurrentUser, caseId: number): Promise<CaseIdentificationReply> {
  const row = await caseFor(db, user, caseId);
  assertRole(user, READERS);
  const [basis, reviews] = await Promise.all([basisOf(db, caseId), store.reviewsOfCase(db, caseId)]);
  let lookback: CaseIdentificationReply['lookback'] = null;
  if (row.state === 'monitoring') {
    const year = row.campaignYear + 1;
    const [grade, screening] = await Promise.all([
      gradeOfYear(db, row.villageId, year),
      latestScreeningOf(db, row.villageId, year),
    ]);
    lookback = { year, grade, screening: screening ? brief(screening) : null };
  }
  return {
    basis,
    reviews: reviews.map(toReview),
    mayReview: user.role === 'county' && CLOSED_STATES.includes(row.state),
    lookback,
  };
}

/** The county records the village's risk level after its case exited. */
export async function reviewCase(
  db: Db,
  user: CurrentUser,
  caseId: number,
  input: CaseReviewInput,
): Promise<CaseIdentificationReply> {
  const row = await caseFor(db, user, caseId);
  assertRole(user, ['county']);
  if (!CLOSED_STATES.includes(row.state)) {
    throw new AppError('INVALID_STATE', '案件销号退出后，才能记录该村新的风险等级');
  }
  const note = input.note.trim();
  if (!note) throw invalid('note', '请写明复核情况');
  await db.transaction().execute(async (trx) => {
    const reviewId = await store.insertReview(trx, {
      villageId: row.villageId,
      caseId,
      preventionId: null,
      riskLevel: input.riskLevel,
      fromLevel: null,
      toLevel: null,
      note,
      officialId: user.id,
      actorName: user.displayName || user.username,
    });
    await recordAudit(
      trx,
      actorOf(user),
      'case.risk_review',
      { type: 'rectification_case', id: caseId, regionId: row.villageId },
      { reviewId, riskLevel: input.riskLevel },
    );
  });
  return caseIdentification(db, user, caseId);
}
