import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { CaseState } from '../cases/cases.rules.ts';
import type { RuleSet } from '../tallies/tallies.rules.ts';
import type { Questionnaire } from './questionnaire.ts';

export interface ServableCaseRow {
  id: number;
  state: CaseState;
  relistedAs: number | null;
  /** the campaign's template: the questionnaire and rules of the case's sessions */
  campaignId: number;
  campaignTitle: string;
  questionnaire: Questionnaire;
  rules: RuleSet;
}

/**
 * The case a new session of the village could serve: the active case (at most one, sql/0005), else
 * the newest one under look-back. Exited cases serve nothing. `lock` takes the case row FOR SHARE, so
 * a step of the case (which locks it FOR UPDATE) cannot move it while the session is created.
 */
export async function servableCaseOf(db: Db, villageId: number, lock = false): Promise<ServableCaseRow | undefined> {
  const { rows } = await sql<ServableCaseRow>`
    select c.id, c.state,
      (select n.id from rectification_case n where n.previous_case_id = c.id) as "relistedAs",
      p.id as "campaignId", p.title as "campaignTitle", p.questionnaire, p.rules
    from rectification_case c
    join campaign p on p.id = c.campaign_id
    where c.village_id = ${villageId} and c.state <> 'exited'
    order by (c.state = 'monitoring'), c.id desc
    limit 1
    ${lock ? sql`for share of c` : sql``}`.execute(db);
  return rows[0];
}
