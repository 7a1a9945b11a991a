// The campaign board (issue 9): every village of a township, county or city on one page with its
// case, the latest evaluation of each kind and the next step. Scope like everywhere: the region
// must lie in the caller's subtree (else the one 404); a village is not a board (400). Results of a
// session still open or in draft never appear: only its turnout does. The cost grows with the
// villages shown: a handful of set-based queries (board.repository), no ballot is read.
import type { Db } from '../../db/database.ts';
import { AppError } from '../../errors.ts';
import { assertInScope, type CurrentUser } from '../../lib/access.ts';
import { chinaDay, lightOf } from '../cases/cases.rules.ts';
import { getRegionInScope } from '../regions/regions.service.ts';
import { attachment, chinaToday } from '../reports/reports.rules.ts';
import { streamWorkbook } from '../reports/reports.workbook.ts';
import { completenessUnder } from '../villagefiles/villagefiles.service.ts';
import type { FortressGrade } from '../grading/grading.rules.ts';
import { villageGradesUnder } from '../grading/grading.service.ts';
import { villageRiskLevelsUnder } from '../risk/risk.service.ts';
import { SESSION_KINDS } from '../sessions/sessions.rules.ts';
import * as repo from './board.repository.ts';
import type { CaseRow, RegionRef, SessionRow } from './board.repository.ts';
import { nextStepOf, ratePermille, requiredSatisfied, type StepSession } from './board.rules.ts';
import { BOARD_COLUMNS, boardRow } from './board.sheet.ts';
import type { Board, BoardCase, BoardSession, BoardVillage, History, Turnout } from './board.schemas.ts';
import { boardView } from './board.view.ts';
import type { Download } from '../reports/reports.service.ts';

const CHINA_OFFSET_MS = 8 * 3600 * 1000;

/** The instants a China-time year begins and ends. */
export function yearBounds(year: number): { from: Date; to: Date } {
  return {
    from: new Date(Date.UTC(year, 0, 1) - CHINA_OFFSET_MS),
    to: new Date(Date.UTC(year + 1, 0, 1) - CHINA_OFFSET_MS),
  };
}

export interface Scope {
  region: RegionRef;
  breadcrumb: RegionRef[];
}

/** The board's region: in the caller's subtree (else 404), a township or above (else 400). */
export async function scopeOf(db: Db, user: CurrentUser, regionId: number | undefined): Promise<Scope> {
  const region = await getRegionInScope(db, user, regionId ?? user.regionId);
  assertBoardLevel(region.level);
  const ids = region.path.slice(region.path.indexOf(user.regionId));
  const breadcrumb = await repo.listRegions(db, ids);
  return { region: breadcrumb[breadcrumb.length - 1] as RegionRef, breadcrumb };
}

function assertBoardLevel(level: string): void {
  if (level === 'village') {
    throw new AppError('BAD_REQUEST', '工作台按乡镇、县或市查看，请选择乡镇或更高一级的区域');
  }
}

/** Each distinct rule text once, numbered from 1 in the order the board meets them. */
class RuleTable {
  private readonly ids = new Map<string, number>();
  idOf(text: string): number {
    let id = this.ids.get(text);
    if (id === undefined) this.ids.set(text, (id = this.ids.size + 1));
    return id;
  }
  list(): Board['rules'] {
    return [...this.ids].map(([text, id]) => ({ id, text }));
  }
}

function toSession(s: SessionRow, rules: RuleTable): BoardSession {
  const v = s.verdict;
  return {
    sessionId: s.id,
    kind: s.kind,
    status: s.status,
    residentsPresent: s.residentsPresent,
    issued: s.issued,
    used: s.used,
    verdict: v && {
      outcome: v.outcome,
      satisfied: v.satisfied,
      required: requiredSatisfied(s, v.denominator),
      denominator: v.denominator,
      ruleId: rules.idOf(v.rule),
    },
    closedAt: s.closedAt,
  };
}

const stepSession = (s: SessionRow): StepSession => ({
  id: s.id,
  kind: s.kind,
  status: s.status,
  residentsConfirmed: s.residentsConfirmed,
  issued: s.issued,
  outcome: s.verdict?.outcome ?? null,
  closedAt: s.closedAt,
});

function toCase(c: CaseRow, today: string): BoardCase {
  const light = lightOf(
    {
      state: c.state,
      deadline: c.deadline,
      openProblemDeadlines: c.openProblemDeadlines,
      lastTransition: c.lastAction === null ? null : { action: c.lastAction, reason: c.lastReason },
      stateSince: c.stateSince,
      relistedAs: c.relistedAs,
    },
    today,
  );
  return { id: c.id, state: c.state, light };
}

const KIND_ORDER = new Map(SESSION_KINDS.map((k, i) => [k, i]));

function groupByVillage<T extends { villageId: number }>(rows: readonly T[]): Map<number, T[]> {
  const out = new Map<number, T[]>();
  for (const r of rows) {
    const list = out.get(r.villageId);
    if (list) list.push(r);
    else out.set(r.villageId, [r]);
  }
  return out;
}

function totalsOf(villages: BoardVillage[]): Board['totals'] {
  const t: Board['totals'] = {
    villages: villages.length,
    listed: 0,
    byLight: { red: 0, yellow: 0, green: 0 },
    byVerdict: { pass: 0, fail: 0, undecidable: 0, none: 0 },
    openSessions: 0,
  };
  for (const v of villages) {
    if (v.case) {
      t.listed++;
      t.byLight[v.case.light.color]++;
    }
    t.openSessions += v.latest.filter((s) => s.status === 'open').length;
    // the village's verdict: that of its session closed last in the year
    const closed = v.latest.filter((s) => s.verdict !== null && s.closedAt !== null);
    closed.sort((a, b) => (b.closedAt as string).localeCompare(a.closedAt as string));
    t.byVerdict[closed[0]?.verdict?.outcome ?? 'none']++;
  }
  return t;
}

export interface BoardQuery {
  regionId?: number | undefined;
  year?: number | undefined;
}

/** What a board is, apart from the caller's breadcrumb. */
type BoardBody = Omit<Board, 'breadcrumb'>;

/** A board built once and kept while board_epoch stays where it was. */
interface Kept {
  /** the change counter (sql/0013) when it was built */
  epoch: string;
  body: BoardBody;
  /** the county of each village (the workbook's first column; the reply leaves it out) */
  countyOf: ReadonlyMap<number, string>;
  /**
   * The body serialized once, cut where an open session's `used` goes: text, session id, text, …,
   * text. The reply is these with live turnout in the cuts, after the caller's breadcrumb.
   */
  json: string[];
  /** the `used` of each open session as built (for one the live read missed) */
  builtUsed: ReadonlyMap<number, number>;
}

// Boards built by this instance, per database, by region, year and China day (the lights count
// days). An entry serves while board_epoch has not moved: every change of what the board reads
// bumps it in the same transaction, and the counter is read before the board is built, so a change
// committed meanwhile makes the next request build again. Live turnout is never taken from here.
// Hand-written: a cache library would not know when the database changed, which is the whole point.
const boards = new WeakMap<Db, Map<string, Kept>>();
const BOARDS_KEPT = 64;

function cacheOf(db: Db): Map<string, Kept> {
  let m = boards.get(db);
  if (!m) boards.set(db, (m = new Map()));
  return m;
}

/** The board's few fields of a village's grade (the rule is on the grading page, the label in board.view). */
function fortressOf(g: { year: number; grade: FortressGrade; total: number; maxTotal: number } | null | undefined) {
  return g ? { year: g.year, grade: g.grade, total: g.total, maxTotal: g.maxTotal } : null;
}

async function buildBoard(db: Db, region: RegionRef, year: number, today: string) {
  const thisYear = Number(today.slice(0, 4));
  const { from, to } = yearBounds(year);
  const [children, villageRows, sessions, cases, years, files, grades, risks] = await Promise.all([
    repo.listChildren(db, region.id),
    repo.listVillages(db, region.id),
    repo.listLatestSessions(db, region.id, from, to),
    repo.listCases(db, region.id, year, year === thisYear),
    repo.listYears(db, region.id),
    completenessUnder(db, region.id, year),
    villageGradesUnder(db, region.id, year),
    villageRiskLevelsUnder(db, region.id, year),
  ]);
  const gradeOf = new Map(grades.map((g) => [g.villageId, g.grade]));
  const riskOf = new Map(risks.map((r) => [r.villageId, { year, level: r.level }]));
  const sessionsOf = groupByVillage(sessions);
  const caseOf = new Map(cases.map((c) => [c.villageId, c]));
  const rules = new RuleTable();
  const villages = villageRows.map((v): BoardVillage => {
    const latest = (sessionsOf.get(v.villageId) ?? []).sort(
      (a, b) => (KIND_ORDER.get(a.kind) ?? 0) - (KIND_ORDER.get(b.kind) ?? 0),
    );
    const c = caseOf.get(v.villageId);
    const stepCase = c
      ? { state: c.state, relistedAs: c.relistedAs, stepSince: c.stepSince.toISOString(), stageSession: c.stage }
      : null;
    const next = nextStepOf(stepCase, latest.map(stepSession));
    return {
      villageId: v.villageId,
      villageName: v.villageName,
      townshipId: v.townshipId,
      townshipName: v.townshipName,
      case: c ? toCase(c, today) : null,
      latest: latest.map((s) => toSession(s, rules)),
      nextStep: next && {
        action: next.action,
        label: next.label,
        role: next.role,
        kind: next.kind,
        sessionId: next.sessionId,
      },
      file: files.get(v.villageId) ?? null,
      fortress: fortressOf(gradeOf.get(v.villageId)),
      risk: riskOf.get(v.villageId) ?? null,
    };
  });
  const allYears = [...new Set([...years, year])].sort((a, b) => b - a);
  const body: BoardBody = {
    region,
    children,
    year,
    years: allYears,
    rules: rules.list(),
    villages,
    totals: totalsOf(villages),
  };
  return { body, countyOf: new Map(villageRows.map((v) => [v.villageId, v.countyName])) };
}

// A NUL character cannot come from the database (PostgreSQL text never holds one), so a string
// "\u0000<id>" in the serialized body can only be the mark left for an open session's turnout.
const MARK = '\u0000';
const MARKED = /"\\u0000(\d+)"/;

/** The body as JSON text cut at each open session's `used` (see Kept.json). */
function serialize(body: BoardBody): Pick<Kept, 'json' | 'builtUsed'> {
  const builtUsed = new Map<number, number>();
  for (const v of body.villages) for (const s of v.latest) if (s.status === 'open') builtUsed.set(s.sessionId, s.used);
  const villages = body.villages.map((v) =>
    v.latest.some((s) => s.status === 'open')
      ? { ...v, latest: v.latest.map((s) => (s.status === 'open' ? { ...s, used: `${MARK}${s.sessionId}` } : s)) }
      : v,
  );
  return {
    json: JSON.stringify({ ...body, villages })
      .slice(1)
      .split(MARKED),
    builtUsed,
  };
}

/** The villages with each open session's `used` taken from the live turnout (new objects only where it differs). */
function withTurnout(villages: readonly BoardVillage[], live: ReadonlyMap<number, number>): BoardVillage[] {
  if (live.size === 0) return villages as BoardVillage[];
  return villages.map((v) =>
    v.latest.some((s) => s.status === 'open' && live.has(s.sessionId))
      ? {
          ...v,
          latest: v.latest.map((s) => (s.status === 'open' ? { ...s, used: live.get(s.sessionId) ?? s.used } : s)),
        }
      : v,
  );
}

interface Current {
  kept: Kept;
  breadcrumb: RegionRef[];
  /** ballots cast per open session, read with the counter */
  live: Map<number, number>;
}

/** The caller's board: scope, counter and turnout in one round trip, the board built only when the counter moved. */
async function current(db: Db, user: CurrentUser, q: BoardQuery, now: Date): Promise<Current> {
  const read = await repo.readBoardRequest(db, q.regionId ?? user.regionId);
  assertInScope(user, read?.region.path);
  const { region: row, ancestors, epoch, turnout } = read as repo.BoardRequestRow;
  assertBoardLevel(row.level);
  const region: RegionRef = { id: row.id, name: row.name, level: row.level };
  const breadcrumb = ancestors.slice(ancestors.findIndex((a) => a.id === user.regionId));
  const today = chinaDay(now);
  const year = q.year ?? Number(today.slice(0, 4));
  const cache = cacheOf(db);
  const key = `${region.id}:${year}:${today}`;
  let kept = cache.get(key);
  if (kept?.epoch !== epoch) {
    const built = await buildBoard(db, region, year, today);
    kept = { epoch, ...built, ...serialize(built.body) };
    cache.delete(key);
    if (cache.size >= BOARDS_KEPT) cache.delete(cache.keys().next().value as string);
    cache.set(key, kept);
  }
  return { kept, breadcrumb, live: new Map(turnout) };
}

const boardOf = ({ kept, breadcrumb, live }: Current): Board => ({
  ...kept.body,
  breadcrumb,
  villages: withTurnout(kept.body.villages, live),
});

export async function getBoard(db: Db, user: CurrentUser, q: BoardQuery, now = new Date()): Promise<Board> {
  return boardOf(await current(db, user, q, now));
}

/**
 * The board as the route sends it: JSON text spliced from the kept serialization, the caller's
 * breadcrumb and the live turnout (the same reply as JSON.stringify(getBoard(…))).
 */
export async function getBoardJson(db: Db, user: CurrentUser, q: BoardQuery, now = new Date()): Promise<string> {
  const { kept, breadcrumb, live } = await current(db, user, q, now);
  const parts = kept.json;
  let out = `{"breadcrumb":${JSON.stringify(breadcrumb)},${parts[0] as string}`;
  for (let i = 1; i < parts.length; i += 2) {
    const id = Number(parts[i]);
    out += `${live.get(id) ?? kept.builtUsed.get(id) ?? 0}${parts[i + 1] as string}`;
  }
  return out;
}

export async function getTurnout(db: Db, user: CurrentUser, q: BoardQuery): Promise<Turnout> {
  const { region } = await scopeOf(db, user, q.regionId);
  return { sessions: await repo.listOpenTurnout(db, region.id) };
}

export async function getHistory(db: Db, user: CurrentUser, q: BoardQuery): Promise<History> {
  const { region } = await scopeOf(db, user, q.regionId);
  const [villageRows, rows] = await Promise.all([repo.listVillages(db, region.id), repo.listHistory(db, region.id)]);
  const years = [...new Set(rows.map((r) => r.year))].sort((a, b) => a - b);
  const byVillage = groupByVillage(rows);
  return {
    years,
    villages: villageRows.map((v) => {
      const byYear: History['villages'][number]['byYear'] = Object.fromEntries(years.map((y) => [String(y), null]));
      for (const r of byVillage.get(v.villageId) ?? []) {
        byYear[String(r.year)] = {
          kind: r.kind,
          outcome: r.outcome,
          ratePermille: ratePermille(r.satisfied, r.denominator),
        };
      }
      return { villageId: v.villageId, villageName: v.villageName, townshipName: v.townshipName, byYear };
    }),
  };
}

/** The board as a streamed XLSX: the rows of the page, one per village. */
export async function exportBoard(db: Db, user: CurrentUser, q: BoardQuery, now = new Date()): Promise<Download> {
  const read = await current(db, user, q, now);
  const board = boardView(boardOf(read));
  const countyOf = read.kept.countyOf;
  async function* oneBatch() {
    yield board.villages;
  }
  const day = chinaToday(now);
  return {
    disposition: attachment(
      `工作台_${board.region.name}_${board.year}年度_${day}.xlsx`,
      `board_${board.region.id}_${board.year}_${day}.xlsx`,
    ),
    stream: streamWorkbook(now, (book) =>
      book.sheet({ name: `${board.year}年度工作台`, columns: BOARD_COLUMNS }, oneBatch(), (v) => [
        boardRow(countyOf.get(v.villageId) ?? '', v),
      ]),
    ),
  };
}
