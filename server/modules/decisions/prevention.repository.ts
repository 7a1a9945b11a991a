// SQL of the 重点防控村 records and the risk reviews (调低防控措施等级, the risk level after exit).
import { sql, type Transaction } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { DB } from '../../db/schema.ts';
import type { Level } from './decisions.rules.ts';

export type RiskLevel = 'high' | 'middle' | 'low';

export interface PreventionRow {
  id: number;
  villageId: number;
  villageName: string;
  villagePath: number[];
  townshipName: string;
  countyId: number;
  year: number;
  listId: number;
  screeningId: number | null;
  level: Level;
  riskLevel: RiskLevel;
  status: 'active' | 'lifted';
  createdAt: Date;
  updatedAt: Date;
}

function records(db: Db) {
  return db
    .selectFrom('prevention_record as p')
    .innerJoin('region as v', 'v.id', 'p.village_id')
    .innerJoin('region as t', 't.id', 'v.parent_id')
    .select([
      'p.id',
      'p.village_id as villageId',
      'v.name as villageName',
      'v.path as villagePath',
      't.name as townshipName',
      'p.county_id as countyId',
      'p.year',
      'p.list_id as listId',
      'p.screening_id as screeningId',
      sql<Level>`p.level`.as('level'),
      sql<RiskLevel>`p.risk_level`.as('riskLevel'),
      sql<'active' | 'lifted'>`p.status`.as('status'),
      'p.created_at as createdAt',
      'p.updated_at as updatedAt',
    ]);
}

export const findPrevention = (db: Db, id: number): Promise<PreventionRow | undefined> =>
  records(db).where('p.id', '=', id).executeTakeFirst();

export async function lockPrevention(trx: Transaction<DB>, id: number): Promise<PreventionRow | undefined> {
  await trx.selectFrom('prevention_record').select('id').where('id', '=', id).forUpdate().execute();
  return findPrevention(trx, id);
}

/** The records of the year whose village lies under the region, township and village order. */
export const preventionsUnder = (db: Db, regionId: number, year: number): Promise<PreventionRow[]> =>
  records(db)
    .where(sql<boolean>`v.path @> array[${regionId}]::int[]`)
    .where('p.year', '=', year)
    .orderBy('t.name')
    .orderBy('v.name')
    .orderBy('p.id')
    .execute();

export async function insertPrevention(
  trx: Transaction<DB>,
  p: Pick<PreventionRow, 'villageId' | 'countyId' | 'year' | 'listId' | 'screeningId' | 'level' | 'riskLevel'>,
): Promise<number> {
  const row = await trx
    .insertInto('prevention_record')
    .values({
      village_id: p.villageId,
      county_id: p.countyId,
      year: p.year,
      list_id: p.listId,
      screening_id: p.screeningId,
      level: p.level,
      risk_level: p.riskLevel,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function updatePrevention(
  trx: Transaction<DB>,
  id: number,
  p: { level: Level; riskLevel: RiskLevel; status: 'active' | 'lifted' },
): Promise<void> {
  await trx
    .updateTable('prevention_record')
    .set({ level: p.level, risk_level: p.riskLevel, status: p.status, updated_at: sql`now()` })
    .where('id', '=', id)
    .execute();
}

export interface ReviewRow {
  id: number;
  villageId: number;
  caseId: number | null;
  preventionId: number | null;
  riskLevel: RiskLevel;
  fromLevel: Level | null;
  toLevel: Level | null;
  note: string;
  actorName: string;
  at: Date;
}

function reviews(db: Db) {
  return db
    .selectFrom('risk_review')
    .select([
      sql<number>`id::int`.as('id'),
      'village_id as villageId',
      'case_id as caseId',
      'prevention_id as preventionId',
      sql<RiskLevel>`risk_level`.as('riskLevel'),
      sql<Level | null>`from_prevention_level`.as('fromLevel'),
      sql<Level | null>`to_prevention_level`.as('toLevel'),
      'note',
      'actor_name as actorName',
      'at',
    ]);
}

export const reviewsOfCase = (db: Db, caseId: number): Promise<ReviewRow[]> =>
  reviews(db).where('case_id', '=', caseId).orderBy('id').execute();

export const reviewsOfPrevention = (db: Db, preventionId: number): Promise<ReviewRow[]> =>
  reviews(db).where('prevention_id', '=', preventionId).orderBy('id').execute();

export async function insertReview(
  trx: Transaction<DB>,
  r: Omit<ReviewRow, 'id' | 'at'> & { officialId: number },
): Promise<number> {
  const row = await trx
    .insertInto('risk_review')
    .values({
      village_id: r.villageId,
      case_id: r.caseId,
      prevention_id: r.preventionId,
      risk_level: r.riskLevel,
      from_prevention_level: r.fromLevel,
      to_prevention_level: r.toLevel,
      note: r.note,
      official_id: r.officialId,
      actor_name: r.actorName,
    })
    .returning(sql<number>`id::int`.as('id'))
    .executeTakeFirstOrThrow();
  return row.id;
}
