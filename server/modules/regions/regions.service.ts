// Regions: the city → county → township → village tree that scopes everything else. An official
// sees their own region and what lies below it, never a sibling's; the names of the regions above
// are shown only as a breadcrumb.
import type { Db } from '../../db/database.ts';
import { AppError, notFound } from '../../errors.ts';
import { assertInScope, inScope, type CurrentUser } from '../../lib/access.ts';
import { findRegion, findSummary, listByIds, listChildSummaries, type RegionRow } from './regions.repository.ts';
import type { RegionLevel, RegionSummaryRow } from './regions.repository.ts';

export type { RegionLevel, RegionRow, RegionSummaryRow };

export const LEVEL_LABEL: Record<string, string> = { city: '市', county: '县', township: '乡镇', village: '村' };

export function getRegion(db: Db, id: number): Promise<RegionRow | undefined> {
  return findRegion(db, id);
}

/** The county a region lies in (its own id for a county), null for a city. */
export const countyOf = (region: RegionRow): number | null =>
  region.level === 'city' ? null : (region.path[1] ?? null);

/**
 * A county whose county-wide rules (the 堡垒指数 sheet, the negative list) the user may read: the
 * given region, else the user's own county; it must lie in the user's subtree or above them (a
 * township reads its county's sheet). 404 otherwise; `notCounty` (400) when the region is no county.
 */
export async function getCountyForReading(
  db: Db,
  user: CurrentUser,
  regionId: number | undefined,
  notCounty: string,
): Promise<RegionRow> {
  const id = regionId ?? user.regionPath[1];
  const region = id === undefined ? undefined : await findRegion(db, id);
  if (!region || !(inScope(user, region.path) || user.regionPath.includes(region.id))) throw notFound();
  if (region.level !== 'county') {
    throw new AppError('VALIDATION_FAILED', notCounty, [{ field: 'regionId', message: notCounty }]);
  }
  return region;
}

/** The region, if it exists and lies in the user's subtree; otherwise the one not-found error. */
export async function getRegionInScope(db: Db, user: CurrentUser, id: number): Promise<RegionRow> {
  const region = await findRegion(db, id);
  assertInScope(user, region?.path);
  return region as RegionRow;
}

export interface RegionTree {
  root: RegionSummaryRow;
  ancestors: { id: number; name: string; level: RegionLevel }[];
}

/** The caller's own region with its counts, and the names of the regions above it. */
export async function getOwnTree(db: Db, user: CurrentUser): Promise<RegionTree> {
  const root = await findSummary(db, user.regionId);
  if (!root) throw notFound();
  const ancestors = await listByIds(db, user.regionPath.slice(0, -1));
  return { root, ancestors };
}

export async function getChildren(
  db: Db,
  user: CurrentUser,
  id: number,
): Promise<{ region: RegionSummaryRow; children: RegionSummaryRow[] }> {
  await getRegionInScope(db, user, id);
  const [region, children] = await Promise.all([findSummary(db, id), listChildSummaries(db, id)]);
  if (!region) throw notFound();
  return { region, children };
}
