import { sql, type Transaction } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { DB } from '../../db/schema.ts';
import type { Questionnaire } from '../sessions/questionnaire.ts';
import type { RuleSet } from '../tallies/tallies.rules.ts';

export interface CampaignRow {
  id: number;
  regionId: number;
  regionName: string;
  regionLevel: 'city' | 'county';
  regionPath: number[];
  year: number;
  title: string;
  caseTypes: string[];
  requireFortressGrade: boolean;
  questionnaire: Questionnaire;
  rules: RuleSet;
  caseCount: number;
  createdAt: Date;
}

function baseQuery(db: Db) {
  return db
    .selectFrom('campaign as c')
    .innerJoin('region as r', 'r.id', 'c.region_id')
    .select([
      'c.id',
      'c.region_id as regionId',
      'r.name as regionName',
      sql<'city' | 'county'>`r.level`.as('regionLevel'),
      'r.path as regionPath',
      'c.year',
      'c.title',
      sql<string[]>`c.case_types`.as('caseTypes'),
      'c.require_fortress_grade as requireFortressGrade',
      sql<Questionnaire>`c.questionnaire`.as('questionnaire'),
      sql<RuleSet>`c.rules`.as('rules'),
      sql<number>`(select count(*)::int from rectification_case k where k.campaign_id = c.id)`.as('caseCount'),
      'c.created_at as createdAt',
    ]);
}

export async function findCampaign(db: Db, id: number): Promise<CampaignRow | undefined> {
  return baseQuery(db).where('c.id', '=', id).executeTakeFirst();
}

/** Campaigns whose region lies in the subtree of `regionId` or above it (`ancestors`, itself included). */
export async function listVisible(db: Db, regionId: number, ancestors: readonly number[]): Promise<CampaignRow[]> {
  return baseQuery(db)
    .where((eb) =>
      eb.or([
        eb(sql<boolean>`r.path @> array[${regionId}]::int[]`, '=', true),
        eb('c.region_id', 'in', [...ancestors]),
      ]),
    )
    .orderBy('c.year', 'desc')
    .orderBy('c.id', 'desc')
    .execute();
}

/** The newest campaign (by year, then id) whose region contains the village with this path. */
export async function newestCovering(db: Db, villagePath: readonly number[]): Promise<CampaignRow | undefined> {
  return baseQuery(db)
    .where('c.region_id', 'in', [...villagePath])
    .orderBy('c.year', 'desc')
    .orderBy('c.id', 'desc')
    .executeTakeFirst();
}

export interface NewCampaign {
  regionId: number;
  year: number;
  title: string;
  caseTypes: string[];
  requireFortressGrade: boolean;
  questionnaire: Questionnaire;
  rules: RuleSet;
  createdBy: number;
}

export async function insertCampaign(trx: Transaction<DB>, c: NewCampaign): Promise<number> {
  const row = await trx
    .insertInto('campaign')
    .values({
      region_id: c.regionId,
      year: c.year,
      title: c.title,
      case_types: JSON.stringify(c.caseTypes),
      require_fortress_grade: c.requireFortressGrade,
      questionnaire: JSON.stringify(c.questionnaire),
      rules: JSON.stringify(c.rules),
      created_by: c.createdBy,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export interface CampaignChanges {
  title?: string;
  caseTypes?: string[];
  requireFortressGrade?: boolean;
  questionnaire?: Questionnaire;
  rules?: RuleSet;
}

export async function updateCampaign(trx: Transaction<DB>, id: number, c: CampaignChanges): Promise<void> {
  await trx
    .updateTable('campaign')
    .set({
      ...(c.title !== undefined ? { title: c.title } : {}),
      ...(c.caseTypes ? { case_types: JSON.stringify(c.caseTypes) } : {}),
      ...(c.requireFortressGrade !== undefined ? { require_fortress_grade: c.requireFortressGrade } : {}),
      ...(c.questionnaire ? { questionnaire: JSON.stringify(c.questionnaire) } : {}),
      ...(c.rules ? { rules: JSON.stringify(c.rules) } : {}),
      updated_at: sql`now()`,
    })
    .where('id', '=', id)
    .execute();
}

export async function lockCampaign(trx: Transaction<DB>, id: number): Promise<void> {
  await trx.selectFrom('campaign').select('id').where('id', '=', id).forUpdate().execute();
}

/** The case types among `types` that some case of the campaign uses. */
export async function typesInUse(db: Db, campaignId: number, types: readonly string[]): Promise<string[]> {
  if (types.length === 0) return [];
  const { rows } = await sql<{ t: string }>`
    select distinct t from rectification_case k, jsonb_array_elements_text(k.types) t
    where k.campaign_id = ${campaignId} and t = any(${[...types]}::text[])
    order by t`.execute(db);
  return rows.map((r) => r.t);
}

/** Did this error come from the named unique index? */
export function isUniqueViolation(err: unknown, constraint: string): boolean {
  const e = err as { code?: string; constraint?: string };
  return e.code === '23505' && e.constraint === constraint;
}
