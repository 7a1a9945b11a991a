import type { Db } from '../../db/database.ts';

/** The result written at close (null before). */
export async function findResult(db: Db, sessionId: number): Promise<unknown> {
  const row = await db.selectFrom('evaluation_session').select('result').where('id', '=', sessionId).executeTakeFirst();
  return row?.result ?? null;
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
