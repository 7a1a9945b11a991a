import { sql, type Transaction } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { DB } from '../../db/schema.ts';

export interface BatchRow {
  id: number;
  count: number;
  used: number;
  voided: boolean;
  createdAt: Date;
}

export async function insertBatch(
  trx: Transaction<DB>,
  b: { sessionId: number; count: number; createdBy: number },
): Promise<{ id: number; createdAt: Date }> {
  return trx
    .insertInto('slip_batch')
    .values({ session_id: b.sessionId, slip_count: b.count, created_by: b.createdBy })
    .returning(['id', 'created_at as createdAt'])
    .executeTakeFirstOrThrow();
}

/** All of a batch's slips in one statement: the hashes travel as one bytea[] parameter. */
export async function insertSlips(
  trx: Transaction<DB>,
  sessionId: number,
  batchId: number,
  hashes: Buffer[],
): Promise<void> {
  await sql`
    insert into slip (token_hash, session_id, batch_id)
    select h, ${sessionId}::int, ${batchId}::int from unnest(${hashes}::bytea[]) as h`.execute(trx);
}

/** issued_count follows the non-voided slips; the table's check keeps it ≤ residents present. */
export async function addIssued(trx: Transaction<DB>, sessionId: number, delta: number): Promise<void> {
  await trx
    .updateTable('evaluation_session')
    .set((eb) => ({ issued_count: eb('issued_count', '+', delta), updated_at: sql`now()` }))
    .where('id', '=', sessionId)
    .execute();
}

function batches(db: Db) {
  return db
    .selectFrom('slip_batch as b')
    .select([
      'b.id',
      'b.slip_count as count',
      sql<number>`(select count(*) from slip s where s.batch_id = b.id and s.used)::int`.as('used'),
      sql<boolean>`b.voided_at is not null`.as('voided'),
      'b.created_at as createdAt',
    ]);
}

export async function listBatches(db: Db, sessionId: number): Promise<BatchRow[]> {
  return batches(db).where('b.session_id', '=', sessionId).orderBy('b.id').execute();
}

export async function findBatch(db: Db, sessionId: number, batchId: number): Promise<BatchRow | undefined> {
  return batches(db).where('b.session_id', '=', sessionId).where('b.id', '=', batchId).executeTakeFirst();
}

/** Voids the batch's unused slips; a slip consumed concurrently stays used (row locks decide). */
export async function voidUnusedSlips(trx: Transaction<DB>, sessionId: number, batchId: number): Promise<number> {
  const res = await trx
    .updateTable('slip')
    .set({ voided: true })
    .where('session_id', '=', sessionId)
    .where('batch_id', '=', batchId)
    .where('used', '=', false)
    .where('voided', '=', false)
    .executeTakeFirst();
  return Number(res.numUpdatedRows);
}

export async function markBatchVoided(trx: Transaction<DB>, batchId: number, officialId: number): Promise<void> {
  await trx
    .updateTable('slip_batch')
    .set({ voided_at: sql`now()`, voided_by: officialId })
    .where('id', '=', batchId)
    .execute();
}
