// The baseline of npm run bench:board: the same verdicts computed per request from the ballot
// rows, the plain way a board without stored results would. One set-based query over the scope
// (no query per village): each village's latest non-void session of each kind in the year, the
// same choice and index as the board, joined to its ballots and grouped by the gate question's
// answer; then the verdict of each counted session by the pure rule (tallies.rules decide).
// It does less than the board (no cases, next steps, names or turnout), so the ratio understates.
import { sql } from 'kysely';
import type { Db } from '../../server/db/database.ts';
import { decide, type Outcome, type RuleSet } from '../../server/modules/tallies/tallies.rules.ts';

interface Row {
  id: number;
  villageId: number;
  kind: string;
  status: string;
  residentsPresent: number;
  issued: number;
  rules: RuleSet;
  option: string | null;
  n: number;
}

export interface BaselineVerdict {
  sessionId: number;
  villageId: number;
  kind: string;
  outcome: Outcome;
  satisfied: number;
  ballots: number;
}

/** China-time year bounds as instants. */
export function yearBounds(year: number): { from: Date; to: Date } {
  const h8 = 8 * 3600 * 1000;
  return { from: new Date(Date.UTC(year, 0, 1) - h8), to: new Date(Date.UTC(year + 1, 0, 1) - h8) };
}

export async function baselineBoard(db: Db, regionId: number, year: number): Promise<BaselineVerdict[]> {
  const { from, to } = yearBounds(year);
  const began = sql`coalesce(s.opened_at, s.created_at)`;
  const { rows } = await sql<Row>`
    with latest as (
      select distinct on (s.village_id, s.kind) s.id, s.village_id, s.kind, s.status,
        s.residents_present, s.issued_count, s.rules
      from evaluation_session s join region v on v.id = s.village_id
      where v.path @> array[${regionId}]::int[] and v.level = 'village' and s.status <> 'void'
        and ${began} >= ${from} and ${began} < ${to}
      order by s.village_id, s.kind, ${began} desc, s.id desc
    )
    select l.id, l.village_id as "villageId", l.kind, l.status, l.residents_present as "residentsPresent",
      l.issued_count as issued, l.rules, b.answers ->> (l.rules ->> 'gateQuestionId') as option,
      count(b.session_id)::int as n
    from latest l
      left join ballot b on b.session_id = l.id and l.status in ('closed', 'certified')
    group by l.id, l.village_id, l.kind, l.status, l.residents_present, l.issued_count, l.rules, option`.execute(db);
  const bySession = new Map<number, { row: Row; gate: Record<string, number>; ballots: number }>();
  for (const row of rows) {
    const s = bySession.get(row.id) ?? { row, gate: {}, ballots: 0 };
    s.ballots += row.n;
    if (row.option !== null) s.gate[row.option] = (s.gate[row.option] ?? 0) + row.n;
    bySession.set(row.id, s);
  }
  const out: BaselineVerdict[] = [];
  for (const { row, gate, ballots } of bySession.values()) {
    if (row.status !== 'closed' && row.status !== 'certified') continue;
    const v = decide(row.rules, {
      residentsPresent: row.residentsPresent,
      issued: row.issued,
      used: ballots,
      ballots,
      gateCounts: gate,
    });
    out.push({
      sessionId: row.id,
      villageId: row.villageId,
      kind: row.kind,
      outcome: v.outcome,
      satisfied: v.satisfied,
      ballots,
    });
  }
  return out;
}
