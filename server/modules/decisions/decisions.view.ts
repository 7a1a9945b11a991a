// Rows to the HTTP shapes of the three-level decision: a township's list with its entries (merged
// with the year's screenings while in draft), its steps, and why the next step is blocked.
import type { Db } from '../../db/database.ts';
import type { CurrentUser } from '../../lib/access.ts';
import { listCampaigns } from '../cases/campaigns.service.ts';
import { openCaseOf } from '../cases/cases.service.ts';
import { villageGradesUnder } from '../grading/grading.service.ts';
import { latestScreeningsUnder, levelLabel, type ScreeningEvidence } from '../risk/risk.evidence.service.ts';
import { OUTCOME_LABEL, RISK_TYPE_LABEL, type RiskType } from '../risk/risk.rules.ts';
import * as repo from './decisions.repository.ts';
import { ACTION_LABEL, availableActions, STAGE_LABEL, type Level } from './decisions.rules.ts';
import type { EntryView, ListView, StepView } from './decisions.schemas.ts';

export function toStepView(s: repo.StepRow): StepView {
  return { ...s, actionLabel: ACTION_LABEL[s.action], at: s.at.toISOString() };
}

export function proposalOf(s: ScreeningEvidence): NonNullable<EntryView['proposal']> {
  return {
    screeningId: s.id,
    score: s.score,
    level: s.level,
    levelLabel: levelLabel(s.level),
    types: s.types,
    typeLabels: s.types.map((t: RiskType) => RISK_TYPE_LABEL[t]),
    outcome: s.outcome,
    preventionLevel: s.preventionLevel,
  };
}

/** The entries of the list; in draft, every screened village not yet saved is added, prefilled. */
export async function entriesView(db: Db, list: repo.ListRow): Promise<EntryView[]> {
  const [stored, screenings, grades] = await Promise.all([
    repo.entriesOf(db, list.id),
    latestScreeningsUnder(db, list.townshipId, list.year),
    villageGradesUnder(db, list.townshipId, list.year),
  ]);
  const latest = new Map(screenings.map((s) => [s.villageId, s]));
  const gradeOf = new Map(grades.map((g) => [g.villageId, g]));
  const rows: (repo.EntryRow & { saved: boolean })[] = stored.map((e) => ({ ...e, saved: true }));
  if (list.stage === 'draft') {
    const have = new Set(stored.map((e) => e.villageId));
    for (const s of screenings) {
      if (have.has(s.villageId)) continue;
      rows.push({
        villageId: s.villageId,
        villageName: gradeOf.get(s.villageId)?.villageName ?? '',
        outcome: s.outcome,
        preventionLevel: s.preventionLevel,
        screeningId: s.id,
        gradeId: s.gradeId,
        note: '',
        caseId: null,
        preventionId: null,
        saved: false,
      });
    }
  }
  rows.sort((a, b) => a.villageName.localeCompare(b.villageName, 'zh-CN') || a.villageId - b.villageId);
  const reports = await repo.reportCounts(
    db,
    rows.map((r) => r.villageId),
    list.year,
  );
  return Promise.all(
    rows.map(async (e) => {
      const s = latest.get(e.villageId);
      const open = e.outcome === 'rectify' && list.stage !== 'approved' ? await openCaseOf(db, e.villageId) : undefined;
      return {
        villageId: e.villageId,
        villageName: e.villageName,
        outcome: e.outcome,
        outcomeLabel: OUTCOME_LABEL[e.outcome],
        preventionLevel: e.preventionLevel as Level | null,
        note: e.note,
        saved: e.saved,
        proposal: s ? proposalOf(s) : null,
        stale: list.stage !== 'approved' && e.saved && (s === undefined || s.id !== e.screeningId),
        grade: gradeOf.get(e.villageId)?.grade ?? null,
        reports: reports.get(e.villageId) ?? 0,
        openCaseId: open ?? null,
        caseId: e.caseId,
        preventionId: e.preventionId,
      };
    }),
  );
}

/** Why the list's next forward step (propose, approve) cannot be taken yet, or null. */
/** `campaigns`: how many the approver may pick from (null: not the approver, not checked). */
export function blockedBy(list: repo.ListRow, entries: readonly EntryView[], campaigns: number | null): string | null {
  if (list.stage === 'draft') {
    const changed = entries.filter((e) => !e.saved || e.stale).map((e) => e.villageName);
    if (changed.length > 0) return `${changed.join('、')}的排查记录有更新或尚未保存到名单，请核对后保存名单再提交`;
    return null;
  }
  if (list.stage !== 'determined') return null;
  const open = entries.filter((e) => e.openCaseId !== null);
  if (open.length > 0) {
    const names = open.map((e) => `${e.villageName}（案件编号 ${e.openCaseId}）`).join('、');
    return `${names}已有未结案的整顿案件，不能再列入整顿：请调整名单或先办结原案件`;
  }
  if (campaigns === 0 && entries.some((e) => e.outcome === 'rectify')) {
    return `本县（市）尚无 ${list.year} 年度的整顿工作，请先设立，认定的软弱涣散村将列入其中`;
  }
  return null;
}

export async function toListView(db: Db, user: CurrentUser, list: repo.ListRow): Promise<ListView> {
  const [entries, steps] = await Promise.all([entriesView(db, list), repo.stepsOf(db, list.id)]);
  const actions = availableActions(user.role, list.stage);
  const campaigns = actions.includes('approve')
    ? (await listCampaigns(db, user))
        .filter((c) => c.year === list.year && (c.regionId === list.countyId || c.regionId === list.townshipPath[0]))
        .map((c) => ({ id: c.id, title: c.title, regionName: c.regionName }))
    : [];
  return {
    id: list.id,
    township: { id: list.townshipId, name: list.townshipName },
    county: { id: list.countyId, name: list.countyName },
    year: list.year,
    stage: list.stage,
    stageLabel: STAGE_LABEL[list.stage],
    version: list.version,
    campaign: list.campaignId !== null ? { id: list.campaignId, title: list.campaignTitle ?? '' } : null,
    entries,
    steps: steps.map(toStepView),
    actions,
    editable: user.role === 'township' && list.stage === 'draft',
    blocked: blockedBy(list, entries, actions.includes('approve') ? campaigns.length : null),
    campaigns,
  };
}
