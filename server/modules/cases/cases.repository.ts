// SQL of cases (problem lists: problems.repository.ts). Dates (deadlines) are read as YYYY-MM-DD text so no time
// zone ever shifts a day; the day a case entered its state is read in China time.
import { sql, type Transaction } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { DB } from '../../db/schema.ts';
import type { CaseState, FortressGrade } from './cases.rules.ts';

export interface Responsible {
  countyLeader: string;
  townshipLeader: string;
  firstSecretary: string;
  pairedUnit: string;
}

export interface CaseRow {
  id: number;
  campaignId: number;
  campaignTitle: string;
  campaignYear: number;
  campaignTypes: string[];
  requireFortressGrade: boolean;
  villageId: number;
  villageName: string;
  villagePath: number[];
  townshipId: number;
  townshipName: string;
  countyName: string;
  types: string[];
  state: CaseState;
  deadline: string;
  fortressGrade: FortressGrade | null;
  plan: string;
  responsible: Responsible;
  previousCaseId: number | null;
  relistedAsCaseId: number | null;
  openProblemDeadlines: string[];
  problemCount: number;
  lastAction: string | null;
  lastReason: string | null;
  stateSince: string;
  createdAt: Date;
  updatedAt: Date;
}

function baseQuery(db: Db) {
  return db
    .selectFrom('rectification_case as k')
    .innerJoin('campaign as c', 'c.id', 'k.campaign_id')
    .innerJoin('region as v', 'v.id', 'k.village_id')
    .innerJoin('region as t', 't.id', 'v.parent_id')
    .innerJoin('region as co', 'co.id', 't.parent_id')
    .select([
      'k.id',
      'k.campaign_id as campaignId',
      'c.title as campaignTitle',
      'c.year as campaignYear',
      sql<string[]>`c.case_types`.as('campaignTypes'),
      'c.require_fortress_grade as requireFortressGrade',
      'k.village_id as villageId',
      'v.name as villageName',
      'v.path as villagePath',
      't.id as townshipId',
      't.name as townshipName',
      'co.name as countyName',
      sql<string[]>`k.types`.as('types'),
      sql<CaseState>`k.state`.as('state'),
      sql<string>`to_char(k.deadline, 'YYYY-MM-DD')`.as('deadline'),
      sql<FortressGrade | null>`k.fortress_grade`.as('fortressGrade'),
      'k.plan',
      sql<Responsible>`k.responsible`.as('responsible'),
      'k.previous_case_id as previousCaseId',
      sql<number | null>`(select n.id from rectification_case n where n.previous_case_id = k.id)`.as(
        'relistedAsCaseId',
      ),
      sql<string[]>`array(select to_char(p.deadline, 'YYYY-MM-DD') from case_problem p
        where p.case_id = k.id and p.status = 'open' order by p.deadline)`.as('openProblemDeadlines'),
      sql<number>`(select count(*)::int from case_problem p where p.case_id = k.id)`.as('problemCount'),
      sql<string | null>`(select x.action from case_transition x where x.case_id = k.id order by x.id desc limit 1)`.as(
        'lastAction',
      ),
      sql<string | null>`(select x.reason from case_transition x where x.case_id = k.id order by x.id desc limit 1)`.as(
        'lastReason',
      ),
      sql<string>`to_char(k.state_changed_at at time zone 'Asia/Shanghai', 'YYYY-MM-DD')`.as('stateSince'),
      'k.created_at as createdAt',
      'k.updated_at as updatedAt',
    ]);
}

export async function findCase(db: Db, id: number): Promise<CaseRow | undefined> {
  return baseQuery(db).where('k.id', '=', id).executeTakeFirst();
}

export async function lockCase(trx: Transaction<DB>, id: number): Promise<CaseRow | undefined> {
  await trx.selectFrom('rectification_case').select('id').where('id', '=', id).forUpdate().execute();
  return findCase(trx, id);
}

export interface CaseQuery {
  campaignId?: number | undefined;
  year?: number | undefined;
  townshipId?: number | undefined;
  type?: string | undefined;
  states?: readonly CaseState[] | undefined;
  villageId?: number | undefined;
}

/** Cases whose village lies in the subtree of `regionId`, filtered (the light is filtered by the caller). */
export async function listInSubtree(db: Db, regionId: number, q: CaseQuery): Promise<CaseRow[]> {
  let query = baseQuery(db).where(sql<boolean>`v.path @> array[${regionId}]::int[]`);
  if (q.campaignId !== undefined) query = query.where('k.campaign_id', '=', q.campaignId);
  if (q.year !== undefined) query = query.where('c.year', '=', q.year);
  if (q.townshipId !== undefined) query = query.where('t.id', '=', q.townshipId);
  if (q.villageId !== undefined) query = query.where('k.village_id', '=', q.villageId);
  if (q.type !== undefined) query = query.where(sql<boolean>`k.types ? ${q.type}`);
  if (q.states !== undefined) query = query.where('k.state', 'in', [...q.states]);
  return query.orderBy('t.name').orderBy('v.name').orderBy('k.id').execute();
}

/** Every case of the village, oldest first. */
export async function listVillageHistory(db: Db, villageId: number) {
  return db
    .selectFrom('rectification_case as k')
    .innerJoin('campaign as c', 'c.id', 'k.campaign_id')
    .select([
      'k.id',
      'c.year as campaignYear',
      'c.title as campaignTitle',
      sql<CaseState>`k.state`.as('state'),
      'k.created_at as createdAt',
    ])
    .where('k.village_id', '=', villageId)
    .orderBy('k.created_at')
    .orderBy('k.id')
    .execute();
}

/** The open case of the village, if any (at most one: a partial unique index). */
export async function activeCaseOf(db: Db, villageId: number): Promise<number | undefined> {
  const row = await db
    .selectFrom('rectification_case')
    .select('id')
    .where('village_id', '=', villageId)
    .where('state', 'not in', ['exited', 'monitoring'])
    .executeTakeFirst();
  return row?.id;
}

export interface NewCase {
  campaignId: number;
  villageId: number;
  types: string[];
  plan: string;
  responsible: Responsible;
  deadline: string;
  previousCaseId: number | null;
  createdBy: number;
}

export async function insertCase(trx: Transaction<DB>, c: NewCase): Promise<number> {
  const row = await trx
    .insertInto('rectification_case')
    .values({
      campaign_id: c.campaignId,
      village_id: c.villageId,
      types: JSON.stringify(c.types),
      plan: c.plan,
      responsible: JSON.stringify(c.responsible),
      deadline: c.deadline,
      previous_case_id: c.previousCaseId,
      created_by: c.createdBy,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export interface CaseChanges {
  types?: string[];
  deadline?: string;
  plan?: string;
  responsible?: Responsible;
  fortressGrade?: FortressGrade | null;
  state?: CaseState;
}

export async function updateCase(trx: Transaction<DB>, id: number, c: CaseChanges): Promise<void> {
  await trx
    .updateTable('rectification_case')
    .set({
      ...(c.types ? { types: JSON.stringify(c.types) } : {}),
      ...(c.deadline !== undefined ? { deadline: c.deadline } : {}),
      ...(c.plan !== undefined ? { plan: c.plan } : {}),
      ...(c.responsible ? { responsible: JSON.stringify(c.responsible) } : {}),
      ...(c.fortressGrade !== undefined ? { fortress_grade: c.fortressGrade } : {}),
      ...(c.state !== undefined ? { state: c.state, state_changed_at: sql`now()` } : {}),
      updated_at: sql`now()`,
    })
    .where('id', '=', id)
    .execute();
}
