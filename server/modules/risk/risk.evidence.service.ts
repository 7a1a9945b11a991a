// For other modules (the three-level decision, the case's 认定依据 and its look-back): screenings as
// evidence, read without a user (the caller checked the scope). Kept apart from risk.service.ts,
// which serves the township's screening pages.
import type { Db } from '../../db/database.ts';
import * as repo from './risk.repository.ts';
import { LEVEL_LABEL, RISK_TYPE_LABEL, type RiskType } from './risk.rules.ts';

export interface ScreeningEvidence extends repo.ScreeningRow {
  types: RiskType[];
}

export interface PresentItem {
  type: RiskType;
  typeLabel: string;
  title: string;
  weight: number;
  evidence: string;
}

/** The latest screening of each village under the region in the year, with its present risk types. */
export async function latestScreeningsUnder(db: Db, regionId: number, year: number): Promise<ScreeningEvidence[]> {
  const rows = await repo.latestScreeningsUnder(db, regionId, year);
  const types = await repo.typesOf(
    db,
    rows.map((r) => r.id),
  );
  return rows.map((r) => ({ ...r, types: types.get(r.id) ?? [] }));
}

/** The village's latest screening of the year, or null. */
export async function latestScreeningOf(db: Db, villageId: number, year: number): Promise<ScreeningEvidence | null> {
  const [row] = await repo.screeningsOf(db, villageId, year);
  if (!row) return null;
  const types = await repo.typesOf(db, [row.id]);
  return { ...row, types: types.get(row.id) ?? [] };
}

/** The items a screening marked present, with their evidence, in the list's order. */
export async function presentItemsOf(db: Db, screening: repo.ScreeningRow): Promise<PresentItem[]> {
  const [items, marks] = await Promise.all([repo.listItems(db, screening.listId), repo.marksOf(db, screening.id)]);
  const present = new Map(marks.filter((m) => m.present).map((m) => [m.itemId, m.evidence]));
  return items
    .filter((i) => present.has(i.id))
    .map((i) => ({
      type: i.type,
      typeLabel: RISK_TYPE_LABEL[i.type],
      title: i.title,
      weight: i.weight,
      evidence: present.get(i.id) ?? '',
    }));
}

/** A screening of the village and year by id (the evidence a decision names), or undefined. */
export async function screeningOf(
  db: Db,
  villageId: number,
  year: number,
  id: number,
): Promise<ScreeningEvidence | undefined> {
  const found = (await repo.screeningsOf(db, villageId, year)).find((s) => s.id === id);
  if (!found) return undefined;
  const types = await repo.typesOf(db, [id]);
  return { ...found, types: types.get(id) ?? [] };
}

export const levelLabel = (level: repo.ScreeningRow['level']): string => `${LEVEL_LABEL[level]}风险`;
