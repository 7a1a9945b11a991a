// The campaign board (issue 9): every village of a township, county or city on one page with its
// case, the latest evaluation of each kind and the next step. Scope like everywhere: the region
// must lie in the caller's subtree (else the one 404); a village is not a board (400). Results of a
// session still open or in draft never appear: only its turnout does. The cost grows with the
// villages shown: a handful of set-based queries (board.repository), no ballot is read.
import type { Readable } from 'node:stream';
import type { Db } from '../../db/database.ts';
import { AppError } from '../../errors.ts';
import type { CurrentUser } from '../../lib/access.ts';
import { chinaDay, lightOf, STATE_LABEL } from '../cases/cases.rules.ts';
import { getRegionInScope } from '../regions/regions.service.ts';
import { attachment, chinaToday } from '../reports/reports.rules.ts';
import { streamWorkbook } from '../reports/reports.workbook.ts';
import { SESSION_KINDS } from '../sessions/sessions.rules.ts';
import * as repo from './board.repository.ts';
import type { CaseRow, RegionRef, SessionRow } from './board.repository.ts';
import { marginOf, nextStepOf, ratePermille, requiredSatisfied, type StepSession } from './board.rules.ts';
import { BOARD_COLUMNS, boardRow } from './board.sheet.ts';
import type { Board, BoardCase, BoardSession, BoardVillage, History, Turnout } from './board.schemas.ts';

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
  if (region.level === 'village') {
    throw new AppError('BAD_REQUEST', '工作台按乡镇、县或市查看，请选择乡镇或更高一级的区域');
  }
  const ids = region.path.slice(region.path.indexOf(user.regionId));
  const breadcrumb = await repo.listRegions(db, ids);
  return { region: breadcrumb[breadcrumb.length - 1] as RegionRef, breadcrumb };
}

function toSession(s: SessionRow): BoardSession {
  const v = s.verdict;
  let verdict: BoardSession['verdict'] = null;
  if (v) {
    const required = requiredSatisfied(s, v.denominator);
    verdict = {
      outcome: v.outcome,
      satisfied: v.satisfied,
      required,
      denominator: v.denominator,
      margin: marginOf(v.satisfied, required),
      ratePermille: ratePermille(v.satisfied, v.denominator),
      rule: v.rule,
    };
  }
  return {
    sessionId: s.id,
    kind: s.kind,
    status: s.status,
    title: s.title,
    residentsPresent: s.residentsPresent,
    issued: s.issued,
    used: s.used,
    verdict,
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
  return { id: c.id, state: c.state, stateLabel: STATE_LABEL[c.state], light };
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

interface Cached {
  /** the change counter (sql/0013) when it was built */
  epoch: string;
  board: BoardBody;
}

// Boards built by this instance, per database, by region, year and China day (the lights count
// days). An entry serves while board_epoch has not moved: every change of what the board reads
// bumps it in the same transaction, and the counter is read before the board is built, so a change
// committed meanwhile makes the next request build again. Live turnout is never taken from here.
// Hand-written: a cache library would not know when the database changed, which is the whole point.
const boards = new WeakMap<Db, Map<string, Cached>>();
const BOARDS_KEPT = 64;

function cacheOf(db: Db): Map<string, Cached> {
  let m = boards.get(db);
  if (!m) boards.set(db, (m = new Map()));
  return m;
}

async function buildBoard(db: Db, region: RegionRef, year: number, today: string): Promise<BoardBody> {
  const thisYear = Number(today.slice(0, 4));
  const { from, to } = yearBounds(year);
  const [children, villageRows, sessions, cases, years] = await Promise.all([
    repo.listChildren(db, region.id),
    repo.listVillages(db, region.id),
    repo.listLatestSessions(db, region.id, from, to),
    repo.listCases(db, region.id, year, year === thisYear),
    repo.listYears(db, region.id),
  ]);
  const sessionsOf = groupByVillage(sessions);
  const caseOf = new Map(cases.map((c) => [c.villageId, c]));
  const villages = villageRows.map((v): BoardVillage => {
    const latest = (sessionsOf.get(v.villageId) ?? []).sort(
      (a, b) => (KIND_ORDER.get(a.kind) ?? 0) - (KIND_ORDER.get(b.kind) ?? 0),
    );
    const c = caseOf.get(v.villageId);
    const stepCase = c
      ? { state: c.state, relistedAs: c.relistedAs, stepSince: c.stepSince.toISOString(), stageSession: c.stage }
      : null;
    return {
      ...v,
      case: c ? toCase(c, today) : null,
      latest: latest.map(toSession),
      nextStep: nextStepOf(stepCase, latest.map(stepSession)),
    };
  });
  const allYears = [...new Set([...years, year])].sort((a, b) => b - a);
  return { region, children, year, years: allYears, villages, totals: totalsOf(villages) };
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

export async function getBoard(db: Db, user: CurrentUser, q: BoardQuery, now = new Date()): Promise<Board> {
  const { region, breadcrumb } = await scopeOf(db, user, q.regionId);
  const today = chinaDay(now);
  const year = q.year ?? Number(today.slice(0, 4));
  const [epoch, turnout] = await Promise.all([repo.readEpoch(db), repo.listOpenTurnout(db, region.id)]);
  const cache = cacheOf(db);
  const key = `${region.id}:${year}:${today}`;
  let hit = cache.get(key);
  if (hit?.epoch !== epoch) {
    hit = { epoch, board: await buildBoard(db, region, year, today) };
    cache.delete(key);
    if (cache.size >= BOARDS_KEPT) cache.delete(cache.keys().next().value as string);
    cache.set(key, hit);
  }
  const live = new Map(turnout.map((t) => [t.sessionId, t.used]));
  return { ...hit.board, breadcrumb, villages: withTurnout(hit.board.villages, live) };
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

export interface BoardDownload {
  /** the Content-Disposition header */
  disposition: string;
  stream: Readable;
}

/** The board as a streamed XLSX: the rows of the page, one per village. */
export async function exportBoard(db: Db, user: CurrentUser, q: BoardQuery, now = new Date()): Promise<BoardDownload> {
  const board = await getBoard(db, user, q, now);
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
      book.sheet({ name: `${board.year}年度工作台`, columns: BOARD_COLUMNS }, oneBatch(), (v) => [boardRow(v)]),
    ),
  };
}
