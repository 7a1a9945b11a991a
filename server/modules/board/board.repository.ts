// SQL of the campaign board: a few set-based queries over the villages of one subtree, never one
// per village and never over ballots. Verdicts come from evaluation_session.result_summary (the
// result written at close, without the questionnaire and counts: sql/0009), live turnout from the
// turnout_shard sums, and only while a session is open. Year bounds are instants (China time).
import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { CaseState } from '../cases/cases.rules.ts';
import { SESSION_KIND_OF_STATE } from '../cases/cases.rights.ts';
import type { SessionKind, SessionStatus } from '../sessions/sessions.rules.ts';
import type { Majority, Outcome } from '../tallies/tallies.rules.ts';

export type Level = 'city' | 'county' | 'township' | 'village';

export interface RegionRef {
  id: number;
  name: string;
  level: Level;
}

export interface VillageRow {
  villageId: number;
  villageName: string;
  townshipId: number;
  townshipName: string;
  countyId: number;
  countyName: string;
}

/** A path element at the region's depth is the region: villages under `regionId`. */
const under = (regionId: number) => sql<boolean>`v.path @> array[${regionId}]::int[]`;

export async function listRegions(db: Db, ids: number[]): Promise<RegionRef[]> {
  if (ids.length === 0) return [];
  return db
    .selectFrom('region')
    .select(['id', 'name', 'level'])
    .where('id', 'in', ids)
    .orderBy(sql`array_position(${sql.val(ids)}::int[], id)`)
    .$narrowType<{ level: Level }>()
    .execute();
}

export async function listChildren(db: Db, parentId: number): Promise<RegionRef[]> {
  return db
    .selectFrom('region')
    .select(['id', 'name', 'level'])
    .where('parent_id', '=', parentId)
    .where('level', '<>', 'village')
    .orderBy(sql`code nulls last`)
    .orderBy('name')
    .$narrowType<{ level: Level }>()
    .execute();
}

export async function listVillages(db: Db, regionId: number): Promise<VillageRow[]> {
  return db
    .selectFrom('region as v')
    .innerJoin('region as t', 't.id', 'v.parent_id')
    .innerJoin('region as co', 'co.id', 't.parent_id')
    .select([
      'v.id as villageId',
      'v.name as villageName',
      't.id as townshipId',
      't.name as townshipName',
      'co.id as countyId',
      'co.name as countyName',
    ])
    .where('v.level', '=', 'village')
    .where(under(regionId))
    .orderBy('co.name')
    .orderBy('t.name')
    .orderBy('v.name')
    .orderBy('v.id')
    .execute();
}

export interface StoredVerdict {
  outcome: Outcome;
  satisfied: number;
  denominator: number;
  rule: string;
}

export interface SessionRow {
  id: number;
  villageId: number;
  kind: SessionKind;
  status: SessionStatus;
  title: string;
  residentsPresent: number;
  issued: number;
  /** from the result once closed, from turnout_shard while open, 0 in a draft */
  used: number;
  residentsConfirmed: boolean;
  /** ISO instant */
  closedAt: string | null;
  majority: Majority;
  minRatePercent: number | null;
  /** only for closed and certified sessions */
  verdict: StoredVerdict | null;
}

const began = sql`coalesce(s.opened_at, s.created_at)`;
const COUNTED = sql`s.status in ('closed', 'certified')`;
const COUNTED_STATUSES: readonly SessionStatus[] = ['closed', 'certified'];
/** An instant as ISO text straight from SQL (cheaper than Date objects for a thousand rows). */
const iso = (col: ReturnType<typeof sql>) =>
  sql<string | null>`to_char(${col} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** What the session query returns before the verdict is put together. */
type Flat = Omit<SessionRow, 'verdict'> & {
  outcome: Outcome | null;
  satisfied: number;
  denominator: number;
  rule: string;
};

/** The latest non-void session of each kind of each village under `regionId` that began in [from, to). */
export async function listLatestSessions(db: Db, regionId: number, from: Date, to: Date): Promise<SessionRow[]> {
  const { rows } = await sql<Flat>`
    with latest as (
      select distinct on (s.village_id, s.kind) s.id
      from evaluation_session s join region v on v.id = s.village_id
      where ${under(regionId)} and v.level = 'village' and s.status <> 'void'
        and ${began} >= ${from} and ${began} < ${to}
      order by s.village_id, s.kind, ${began} desc, s.id desc
    )
    select s.id, s.village_id as "villageId", s.kind, s.status, s.title,
      s.residents_present as "residentsPresent", s.issued_count as "issued",
      case when ${COUNTED} then coalesce((s.result_summary ->> 'used')::int, 0)
        when s.status = 'open' then
          (select coalesce(sum(t.online + t.paper), 0)::int from turnout_shard t where t.session_id = s.id)
        else 0 end as used,
      s.residents_confirmed_at is not null as "residentsConfirmed",
      ${iso(sql`s.closed_at`)} as "closedAt",
      coalesce(s.rules ->> 'majority', 'strict') as majority,
      (s.rules ->> 'minRatePercent')::int as "minRatePercent",
      s.result_summary #>> '{verdict,outcome}' as outcome,
      (s.result_summary #>> '{verdict,satisfied}')::int as satisfied,
      (s.result_summary #>> '{verdict,denominator}')::int as denominator,
      s.result_summary #>> '{verdict,rule}' as rule
    from latest l join evaluation_session s on s.id = l.id`.execute(db);
  return rows.map(({ outcome, satisfied, denominator, rule, ...s }) => ({
    ...s,
    // the stored verdict only once counted: a session still running has none to show
    verdict: outcome !== null && COUNTED_STATUSES.includes(s.status) ? { outcome, satisfied, denominator, rule } : null,
  }));
}

export interface CaseRow {
  id: number;
  villageId: number;
  state: CaseState;
  deadline: string;
  openProblemDeadlines: string[];
  lastAction: string | null;
  lastReason: string | null;
  stateSince: string;
  relistedAs: number | null;
  /** the last step's instant, or the case's creation */
  stepSince: Date;
  stage: {
    id: number;
    kind: SessionKind;
    status: SessionStatus;
    residentsConfirmed: boolean;
    issued: number;
    outcome: Outcome | null;
    closedAt: string | null;
  } | null;
}

/**
 * The case of each village under `regionId` for `year`: among the cases of campaigns of that year
 * (and, when `current`, the village's active case whatever its campaign's year), the active one
 * first, then the latest created.
 */
export async function listCases(db: Db, regionId: number, year: number, current: boolean): Promise<CaseRow[]> {
  const kindOfState = JSON.stringify(SESSION_KIND_OF_STATE);
  const { rows } = await sql<CaseRow>`
    with picked as (
      select distinct on (k.village_id) k.id
      from rectification_case k
        join campaign c on c.id = k.campaign_id
        join region v on v.id = k.village_id
      where ${under(regionId)}
        and (c.year = ${year} or (${current} and k.state not in ('exited', 'monitoring')))
      order by k.village_id, (k.state not in ('exited', 'monitoring')) desc, k.created_at desc, k.id desc
    )
    select k.id, k.village_id as "villageId", k.state,
      to_char(k.deadline, 'YYYY-MM-DD') as deadline,
      array(select to_char(p.deadline, 'YYYY-MM-DD') from case_problem p
        where p.case_id = k.id and p.status = 'open' order by p.deadline) as "openProblemDeadlines",
      x.action as "lastAction", x.reason as "lastReason",
      to_char(k.state_changed_at at time zone 'Asia/Shanghai', 'YYYY-MM-DD') as "stateSince",
      (select n.id from rectification_case n where n.previous_case_id = k.id) as "relistedAs",
      coalesce(x.at, k.created_at) as "stepSince",
      case when st.id is null then null else json_build_object(
        'id', st.id, 'kind', st.kind, 'status', st.status, 'residentsConfirmed', st.confirmed,
        'issued', st.issued_count, 'outcome', st.outcome, 'closedAt', st.closed_at) end as stage
    from picked
      join rectification_case k on k.id = picked.id
      left join lateral (select t.action, t.reason, t.at from case_transition t
        where t.case_id = k.id order by t.id desc limit 1) x on true
      left join lateral (select s.id, s.kind, s.status, s.residents_confirmed_at is not null as confirmed,
          s.issued_count, case when ${COUNTED} then s.result_summary -> 'verdict' ->> 'outcome' end as outcome,
          s.closed_at
        from evaluation_session s
        where s.case_id = k.id and s.status <> 'void' and s.kind = ${kindOfState}::jsonb ->> k.state
        order by s.created_at desc, s.id desc limit 1) st on true`.execute(db);
  return rows;
}

/** Years (China time) with sessions or cases under `regionId`. */
export async function listYears(db: Db, regionId: number): Promise<number[]> {
  const { rows } = await sql<{ year: number }>`
    select distinct extract(year from ${began} at time zone 'Asia/Shanghai')::int as year
      from evaluation_session s join region v on v.id = s.village_id
      where ${under(regionId)} and s.status <> 'void'
    union
    select c.year from rectification_case k join campaign c on c.id = k.campaign_id join region v on v.id = k.village_id
      where ${under(regionId)}`.execute(db);
  return rows.map((r) => r.year);
}

export interface BoardRequestRow {
  region: RegionRef & { path: number[] };
  /** the regions on the region's path, root first */
  ancestors: RegionRef[];
  /** the change counter (sql/0013) */
  epoch: string;
  /** [session id, ballots cast] of each open session under the region */
  turnout: [number, number][];
}

/**
 * What every board request reads, in one round trip and one snapshot: the region with its path
 * (the service checks the scope), the regions above it (the breadcrumb), the change counter and
 * the live turnout of the open sessions under it. Read before the board is built, so a change
 * committed meanwhile moves the counter for the next request (board.service).
 */
export async function readBoardRequest(db: Db, regionId: number): Promise<BoardRequestRow | undefined> {
  const { rows } = await sql<BoardRequestRow>`
    select json_build_object('id', r.id, 'name', r.name, 'level', r.level, 'path', r.path) as region,
      (select json_agg(json_build_object('id', a.id, 'name', a.name, 'level', a.level)
          order by array_position(r.path, a.id))
        from region a where a.id = any(r.path)) as ancestors,
      (select sum(n)::text from board_epoch) as epoch,
      (select coalesce(json_agg(json_build_array(s.id,
          (select coalesce(sum(t.online + t.paper), 0)::int from turnout_shard t where t.session_id = s.id))), '[]')
        from evaluation_session s join region v on v.id = s.village_id
        where ${under(regionId)} and s.status = 'open') as turnout
    from region r where r.id = ${regionId}`.execute(db);
  return rows[0];
}

export interface TurnoutRow {
  sessionId: number;
  villageId: number;
  status: SessionStatus;
  issued: number;
  used: number;
  residentsPresent: number;
}

/** Open sessions under `regionId` with their live turnout (turnout_shard sums). */
export async function listOpenTurnout(db: Db, regionId: number): Promise<TurnoutRow[]> {
  const { rows } = await sql<TurnoutRow>`
    select s.id as "sessionId", s.village_id as "villageId", s.status, s.issued_count as issued,
      (select coalesce(sum(t.online + t.paper), 0)::int from turnout_shard t where t.session_id = s.id) as used,
      s.residents_present as "residentsPresent"
    from evaluation_session s join region v on v.id = s.village_id
    where ${under(regionId)} and s.status = 'open'
    order by s.id`.execute(db);
  return rows;
}

export interface HistoryRow {
  villageId: number;
  year: number;
  kind: SessionKind;
  outcome: Outcome;
  satisfied: number;
  denominator: number;
}

/** Per village and year (China time, when the session began): the latest closed or certified
 * self-evaluation, else the latest closed session of any kind. */
export async function listHistory(db: Db, regionId: number): Promise<HistoryRow[]> {
  const { rows } = await sql<HistoryRow>`
    select distinct on (s.village_id, 2) s.village_id as "villageId",
      extract(year from ${began} at time zone 'Asia/Shanghai')::int as year,
      s.kind, s.result_summary #>> '{verdict,outcome}' as outcome,
      (s.result_summary #>> '{verdict,satisfied}')::int as satisfied,
      (s.result_summary #>> '{verdict,denominator}')::int as denominator
    from evaluation_session s join region v on v.id = s.village_id
    where ${under(regionId)} and ${COUNTED}
    order by s.village_id, 2, (s.kind = 'self_evaluation') desc, s.closed_at desc, s.id desc`.execute(db);
  return rows;
}
