// Regions: the city → county → township → village tree that scopes everything else.
import type { Db } from '../../db/database.ts';
import { assertInScope, type CurrentUser } from '../../lib/access.ts';
import { findRegion, type RegionRow } from './regions.repository.ts';

export type { RegionRow };

export const LEVEL_LABEL: Record<string, string> = { city: '市', county: '县', township: '乡镇', village: '村' };

export function getRegion(db: Db, id: number): Promise<RegionRow | undefined> {
  return findRegion(db, id);
}

/** The region, if it exists and lies in the user's subtree; otherwise the one not-found error. */
export async function getRegionInScope(db: Db, user: CurrentUser, id: number): Promise<RegionRow> {
  const region = await findRegion(db, id);
  assertInScope(user, region?.path);
  return region as RegionRow;
}
