// The scheduled times of a session (sql/0010) and the schedules still waiting to run. The session
// row itself is locked and recorded through the sessions service; this module owns these columns.
import { sql, type Transaction } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { DB } from '../../db/schema.ts';

export async function setTimes(
  trx: Transaction<DB>,
  id: number,
  times: { openAt: Date | null; closeAt: Date | null },
): Promise<void> {
  await trx
    .updateTable('evaluation_session')
    .set({ scheduled_open_at: times.openAt, scheduled_close_at: times.closeAt, updated_at: sql`now()` })
    .where('id', '=', id)
    .execute();
}

export interface PendingRow {
  sessionId: number;
  openAt: Date | null;
  closeAt: Date | null;
  /** who set the schedule last (its 'schedule' event) */
  officialId: number | null;
}

/** Every time not yet carried out: opens of drafts, closes of drafts and open sessions. */
export async function listPending(db: Db): Promise<PendingRow[]> {
  return db
    .selectFrom('evaluation_session as s')
    .leftJoinLateral(
      (eb) =>
        eb
          .selectFrom('session_event as e')
          .select('e.official_id')
          .whereRef('e.session_id', '=', 's.id')
          .where('e.action', '=', 'schedule')
          .orderBy('e.id', 'desc')
          .limit(1)
          .as('e'),
      (join) => join.onTrue(),
    )
    .select([
      's.id as sessionId',
      sql<Date | null>`case when s.status = 'draft' then s.scheduled_open_at end`.as('openAt'),
      's.scheduled_close_at as closeAt',
      'e.official_id as officialId',
    ])
    .where((eb) =>
      eb.or([
        eb.and([eb('s.status', '=', 'draft'), eb('s.scheduled_open_at', 'is not', null)]),
        eb.and([eb('s.status', 'in', ['draft', 'open']), eb('s.scheduled_close_at', 'is not', null)]),
      ]),
    )
    .execute();
}
