import type { Db } from '../../db/database.ts';

/** The result written at close (null before). */
export async function findResult(db: Db, sessionId: number): Promise<unknown> {
  const row = await db.selectFrom('evaluation_session').select('result').where('id', '=', sessionId).executeTakeFirst();
  return row?.result ?? null;
}

/** A session found by its public id, with what the published receipt list shows. */
export async function findPublicSession(
  db: Db,
  publicId: string,
): Promise<{ id: number; publicId: string; title: string; villageName: string; status: string } | undefined> {
  return db
    .selectFrom('evaluation_session as s')
    .innerJoin('region as v', 'v.id', 's.village_id')
    .select(['s.id', 's.public_id as publicId', 's.title', 'v.name as villageName', 's.status'])
    .where('s.public_id', '=', publicId)
    .executeTakeFirst();
}

/** The published receipts of a session, sorted (the order reveals nothing). */
export async function listReceipts(db: Db, sessionId: number): Promise<string[]> {
  const rows = await db
    .selectFrom('receipt')
    .select('code')
    .where('session_id', '=', sessionId)
    .orderBy('code')
    .execute();
  return rows.map((r) => r.code);
}
