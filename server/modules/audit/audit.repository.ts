import { sql, type Transaction } from 'kysely';
import type { DB } from '../../db/schema.ts';

const CHAIN_LOCK = 727_002; // serializes appends so the chain stays linear

export async function lastHash(trx: Transaction<DB>): Promise<Buffer | undefined> {
  await sql`select pg_advisory_xact_lock(${CHAIN_LOCK})`.execute(trx);
  const row = await trx.selectFrom('audit_event').select('hash').orderBy('id', 'desc').limit(1).executeTakeFirst();
  return row?.hash;
}

export interface AuditRow {
  at: Date;
  actor_id: number | null;
  actor_username: string;
  actor_role: string;
  region_id: number | null;
  action: string;
  object_type: string;
  object_id: string | null;
  detail: string;
  prev_hash: Buffer;
  hash: Buffer;
}

export async function insertEvent(trx: Transaction<DB>, row: AuditRow): Promise<void> {
  await trx.insertInto('audit_event').values(row).execute();
}
