import type { Db } from '../../db/database.ts';

export interface RegionRow {
  id: number;
  parentId: number | null;
  level: string;
  name: string;
  code: string | null;
  path: number[];
}

export async function findRegion(db: Db, id: number): Promise<RegionRow | undefined> {
  return db
    .selectFrom('region')
    .select(['id', 'parent_id as parentId', 'level', 'name', 'code', 'path'])
    .where('id', '=', id)
    .executeTakeFirst();
}
