// SQL of a case's problem list (问题清单). Deadlines are read as YYYY-MM-DD text.
import { sql, type Transaction } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { DB } from '../../db/schema.ts';

export interface ProblemRow {
  id: number;
  description: string;
  owner: string;
  deadline: string;
  status: 'open' | 'done';
  doneAt: Date | null;
}

function problems(db: Db) {
  return db
    .selectFrom('case_problem')
    .select([
      'id',
      'description',
      'owner',
      sql<string>`to_char(deadline, 'YYYY-MM-DD')`.as('deadline'),
      sql<'open' | 'done'>`status`.as('status'),
      'done_at as doneAt',
    ]);
}

export async function listProblems(db: Db, caseId: number): Promise<ProblemRow[]> {
  return problems(db).where('case_id', '=', caseId).orderBy('id').execute();
}

export async function findProblem(db: Db, caseId: number, id: number): Promise<ProblemRow | undefined> {
  return problems(db).where('case_id', '=', caseId).where('id', '=', id).executeTakeFirst();
}

export async function insertProblem(
  trx: Transaction<DB>,
  caseId: number,
  p: { description: string; owner: string; deadline: string },
): Promise<number> {
  const row = await trx
    .insertInto('case_problem')
    .values({ case_id: caseId, description: p.description, owner: p.owner, deadline: p.deadline })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function updateProblem(
  trx: Transaction<DB>,
  id: number,
  p: { description?: string; owner?: string; deadline?: string; status?: 'open' | 'done' },
): Promise<void> {
  await trx
    .updateTable('case_problem')
    .set({
      ...(p.description !== undefined ? { description: p.description } : {}),
      ...(p.owner !== undefined ? { owner: p.owner } : {}),
      ...(p.deadline !== undefined ? { deadline: p.deadline } : {}),
      ...(p.status !== undefined ? { status: p.status, done_at: p.status === 'done' ? sql`now()` : null } : {}),
      updated_at: sql`now()`,
    })
    .where('id', '=', id)
    .execute();
}
