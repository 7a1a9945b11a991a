// Case fixtures: a campaign, a case at any state and a closed session attached to it, written
// directly to the database (no HTTP), so transition and access tests start from a known state.
import { sql } from 'kysely';
import type { Db } from '../../server/db/database.ts';
import type { CaseState, FortressGrade } from '../../server/modules/cases/cases.rules.ts';
import { defaultQuestionnaire } from '../../server/modules/sessions/questionnaire.ts';
import type { SessionKind } from '../../server/modules/sessions/sessions.rules.ts';
import { defaultRuleSet } from '../../server/modules/tallies/tallies.rules.ts';
import { createOfficial } from './factories.ts';
import { gradeVillage } from './grading.ts';

export const DEFAULT_CASE_TYPES = ['班子战斗力不强', '推进乡村振兴缓慢', '矛盾问题突出', '村容村貌较差'];

export interface CampaignOptions {
  year?: number;
  title?: string;
  caseTypes?: string[];
  requireFortressGrade?: boolean;
  /** official id recorded as creator (default: a new county official at regionId) */
  createdBy?: number;
}

/** A campaign owned by `regionId` (a county or a city) with the default questionnaire and rules. */
export async function createCampaign(db: Db, regionId: number, opts: CampaignOptions = {}): Promise<number> {
  const createdBy = opts.createdBy ?? (await createOfficial(db, 'county', regionId)).id;
  const row = await db
    .insertInto('campaign')
    .values({
      region_id: regionId,
      year: opts.year ?? 2026,
      title: opts.title ?? `整顿-${Math.random().toString(36).slice(2, 8)}`,
      case_types: JSON.stringify(opts.caseTypes ?? DEFAULT_CASE_TYPES),
      require_fortress_grade: opts.requireFortressGrade ?? true,
      questionnaire: JSON.stringify(defaultQuestionnaire()),
      rules: JSON.stringify(defaultRuleSet()),
      created_by: createdBy,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export interface CaseAtOptions {
  campaignId: number;
  villageId: number;
  state: CaseState;
  types?: string[];
  /** YYYY-MM-DD (default: 90 days from now) */
  deadline?: string;
  /** the village's 堡垒指数 for the campaign's year (a scoring on the county's default sheet), which
   * the exit gate reads; also recorded on the case as if read at county acceptance */
  fortressGrade?: FortressGrade | null;
  previousCaseId?: number | null;
  plan?: string;
  /** official id recorded as creator (default: the campaign's creator) */
  createdBy?: number;
}

const inDays = (n: number): string => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);

/** A case written directly in `state` (no transitions recorded: the gates read sessions and problems). */
export async function createCaseAt(db: Db, opts: CaseAtOptions): Promise<number> {
  const campaign = await db
    .selectFrom('campaign')
    .select(['created_by', 'year'])
    .where('id', '=', opts.campaignId)
    .executeTakeFirstOrThrow();
  if (opts.fortressGrade) await gradeVillage(db, opts.villageId, campaign.year, opts.fortressGrade);
  const row = await db
    .insertInto('rectification_case')
    .values({
      campaign_id: opts.campaignId,
      village_id: opts.villageId,
      types: JSON.stringify(opts.types ?? [DEFAULT_CASE_TYPES[0]]),
      plan: opts.plan ?? '',
      state: opts.state,
      deadline: opts.deadline ?? inDays(90),
      fortress_grade: opts.fortressGrade ?? null,
      previous_case_id: opts.previousCaseId ?? null,
      created_by: opts.createdBy ?? campaign.created_by,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function addProblem(
  db: Db,
  caseId: number,
  opts: { status?: 'open' | 'done'; deadline?: string; description?: string } = {},
): Promise<number> {
  const done = opts.status === 'done';
  const row = await db
    .insertInto('case_problem')
    .values({
      case_id: caseId,
      description: opts.description ?? '村务公开不及时',
      owner: '村党支部',
      deadline: opts.deadline ?? inDays(30),
      status: done ? 'done' : 'open',
      done_at: done ? sql<Date>`now()` : null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export interface CaseSessionOptions {
  kind: SessionKind;
  /** default 'closed' */
  status?: 'draft' | 'open' | 'closed' | 'certified' | 'void';
  /** the verdict written in the result (closed/certified/void-after-close); default 'pass' */
  outcome?: 'pass' | 'fail' | 'undecidable';
  /** the reconciliation flag written in the result; default true */
  reconciled?: boolean;
  /** closed_at (default now) */
  closedAt?: Date;
}

/**
 * A session attached to the case, with a result whose verdict the gates read
 * (result.verdict.outcome, result.reconciled). 10 residents present: pass = 8 satisfied, fail = 4.
 */
export async function createCaseSession(db: Db, caseId: number, opts: CaseSessionOptions): Promise<number> {
  const c = await db
    .selectFrom('rectification_case')
    .select(['village_id', 'created_by'])
    .where('id', '=', caseId)
    .executeTakeFirstOrThrow();
  const status = opts.status ?? 'closed';
  const counted = status === 'closed' || status === 'certified' || (status === 'void' && opts.outcome !== undefined);
  const outcome = opts.outcome ?? 'pass';
  const satisfied = outcome === 'pass' ? 8 : 4;
  const closedAt = opts.closedAt ?? new Date();
  const result = counted
    ? {
        fixture: true,
        residentsPresent: 10,
        ballots: 9,
        reconciled: opts.reconciled ?? true,
        verdict: {
          outcome,
          satisfied,
          denominator: 10,
          needed: outcome === 'pass' ? 0 : 2,
          rule: '满意人数须大于在村人数的一半（恰好一半不通过）',
          checks: [],
          reason: null,
        },
      }
    : null;
  const row = await db
    .insertInto('evaluation_session')
    .values({
      village_id: c.village_id,
      case_id: caseId,
      title: `案件 ${caseId} 的测评`,
      kind: opts.kind,
      questionnaire: JSON.stringify(defaultQuestionnaire()),
      rules: JSON.stringify(defaultRuleSet()),
      residents_present: 10,
      residents_confirmed_by: status === 'draft' ? null : c.created_by,
      residents_confirmed_at: status === 'draft' ? null : sql<Date>`now()`,
      status,
      void_reason: status === 'void' ? '测试作废' : null,
      opened_at: status === 'draft' ? null : sql<Date>`now()`,
      closed_at: counted ? closedAt : null,
      certified_at: status === 'certified' ? sql<Date>`now()` : null,
      result: result ? JSON.stringify(result) : null,
      result_hash: result ? Buffer.alloc(32) : null,
      created_by: c.created_by,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

// ---- helpers added by the transition and access-matrix tests (H5) ----

export interface TransitionRow {
  action: 'county_pass' | 'return' | 'lookback_pass';
  from: CaseState;
  to: CaseState;
  officialId: number;
  role: string;
  reason?: string;
  deadline?: string;
  sessionId?: number;
  /** default now */
  at?: Date;
}

/** A step written straight into the case's history (e.g. the county_pass a city_pass rests on). */
export async function recordTransition(db: Db, caseId: number, t: TransitionRow): Promise<void> {
  await db
    .insertInto('case_transition')
    .values({
      case_id: caseId,
      action: t.action,
      from_state: t.from,
      to_state: t.to,
      at: t.at ?? new Date(),
      official_id: t.officialId,
      actor_name: '测试',
      actor_role: t.role,
      reason: t.reason ?? null,
      deadline: t.deadline ?? null,
      session_id: t.sessionId ?? null,
    })
    .execute();
}
