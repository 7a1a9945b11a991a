// 年度排查 (issue 10 item 4a, the annual channel of 双渠道). The county opens a screening round for
// the year (one per county and year); every village of the county must then be screened: graded by
// the 堡垒指数 and, when graded 弱村, risk-screened (any trigger). The round shows the coverage per
// township with each missing village and why (未评定 / 弱村未排查); the county concludes it only
// when none is missing (应纳尽纳), and the coverage is frozen then. The township reads its own
// township's coverage, the city its counties'. Opening and concluding are audited.
//
// The rule of "screened" lives in screening.rules.ts (the register of item 7 counts by it too); the
// grades come from the grading service, which villages have a risk screening from the repository.
import type { Transaction } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { DB } from '../../db/schema.ts';
import { AppError, notFound } from '../../errors.ts';
import { assertRole, inScope, type CurrentUser, type Role } from '../../lib/access.ts';
import { actorOf, recordAudit } from '../audit/audit.service.ts';
import { villageGradesUnder } from '../grading/grading.service.ts';
import { getRegionInScope, type RegionRow } from '../regions/regions.service.ts';
import { villageRiskLevelsUnder } from '../risk/risk.service.ts';
import * as repo from './screening.repository.ts';
import {
  concludeRefusal,
  coverageOf,
  coveragePercent,
  MISSING_LABEL,
  ROUND_STATUS_LABEL,
  screeningState,
  type Coverage,
  type ScreeningState,
} from './screening.rules.ts';
import type { RoundReply, RoundView, TownshipCoverage } from './screening.schemas.ts';

export const ROUND_READERS: readonly Role[] = ['city', 'county', 'township'];

const invalid = (field: string, message: string) => new AppError('VALIDATION_FAILED', message, [{ field, message }]);
const withPercent = (c: Coverage) => ({ ...c, percent: coveragePercent(c) });

function toView(r: repo.RoundRow): RoundView {
  return {
    id: r.id,
    countyId: r.countyId,
    countyName: r.countyName,
    year: r.year,
    status: r.status,
    statusLabel: ROUND_STATUS_LABEL[r.status],
    openedBy: r.openedBy,
    openedAt: r.openedAt.toISOString(),
    concludedBy: r.concludedBy,
    concludedAt: r.concludedAt?.toISOString() ?? null,
    frozen: r.screened === null || r.total === null ? null : { screened: r.screened, total: r.total },
  };
}

/** For other modules too: the villages under a region, per township (by name), each township's
 * coverage of the year and its missing villages with why. */
export async function coverageUnder(db: Db, regionId: number, year: number): Promise<TownshipCoverage[]> {
  const [villages, screened] = await Promise.all([
    villageGradesUnder(db, regionId, year),
    villageRiskLevelsUnder(db, regionId, year),
  ]);
  const hasScreening = new Set(screened.map((s) => s.villageId));
  const out: (TownshipCoverage & { states: ScreeningState[] })[] = [];
  for (const v of villages) {
    let t = out.at(-1);
    if (t?.townshipId !== v.townshipId) {
      t = {
        townshipId: v.townshipId,
        townshipName: v.townshipName,
        screened: 0,
        total: 0,
        percent: 0,
        missing: [],
        states: [],
      };
      out.push(t);
    }
    const state = screeningState(v.grade?.grade ?? null, hasScreening.has(v.villageId));
    t.states.push(state);
    if (state !== 'screened') {
      t.missing.push({
        villageId: v.villageId,
        villageName: v.villageName,
        reason: state,
        reasonLabel: MISSING_LABEL[state],
      });
    }
  }
  return out.map(({ states, ...t }) => ({ ...t, ...withPercent(coverageOf(states)) }));
}

const total = (townships: readonly Coverage[]): Coverage => ({
  screened: townships.reduce((n, t) => n + t.screened, 0),
  total: townships.reduce((n, t) => n + t.total, 0),
});

const refusalOf = (townships: readonly TownshipCoverage[]) =>
  concludeRefusal(townships.map((t) => ({ name: t.townshipName, screened: t.screened, total: t.total })));

export async function getRounds(
  db: Db,
  user: CurrentUser,
  query: { regionId?: number | undefined; year: number },
): Promise<RoundReply> {
  assertRole(user, ROUND_READERS);
  const region = await getRegionInScope(db, user, query.regionId ?? user.regionId);
  const base = { year: query.year, region: { id: region.id, name: region.name, level: region.level } };
  if (region.level === 'village') throw invalid('regionId', '请选择乡镇、县或市');
  if (region.level === 'city') return cityView(db, region, base);
  const countyId = region.path[1] as number;
  const [round, townships] = await Promise.all([
    repo.roundOf(db, countyId, query.year),
    coverageUnder(db, region.id, query.year),
  ]);
  const open = round?.status === 'open';
  const isCounty = user.role === 'county' && region.level === 'county';
  return {
    ...base,
    round: round ? toView(round) : null,
    coverage: withPercent(total(townships)),
    townships,
    counties: [],
    mayOpen: isCounty && round === undefined,
    mayConclude: isCounty && open && refusalOf(townships) === null,
    concludeBlocked: open ? refusalOf(townships) : null,
  };
}

async function cityView(db: Db, city: RegionRow, base: Pick<RoundReply, 'year' | 'region'>): Promise<RoundReply> {
  const [counties, rounds] = await Promise.all([
    repo.countiesUnder(db, city.id),
    repo.roundsUnder(db, city.id, base.year),
  ]);
  const byCounty = new Map(rounds.map((r) => [r.countyId, r]));
  const rows = [];
  for (const c of counties) {
    const round = byCounty.get(c.id);
    rows.push({
      countyId: c.id,
      countyName: c.name,
      round: round ? toView(round) : null,
      ...withPercent(total(await coverageUnder(db, c.id, base.year))),
    });
  }
  return {
    ...base,
    round: null,
    coverage: withPercent(total(rows)),
    townships: [],
    counties: rows,
    mayOpen: false,
    mayConclude: false,
    concludeBlocked: null,
  };
}

/** The county opens its round of the year; 409 when it already has one. */
export async function openRound(
  db: Db,
  user: CurrentUser,
  input: { year: number; regionId?: number | undefined },
): Promise<RoundReply> {
  assertRole(user, ['county']);
  const county = await getRegionInScope(db, user, input.regionId ?? user.regionId);
  if (county.level !== 'county') throw invalid('regionId', '年度排查由县委组织部按县开启');
  await db.transaction().execute((trx) => openRoundIn(trx, user, county, input.year));
  return getRounds(db, user, { regionId: county.id, year: input.year });
}

/** Opens the county's round of the year (role and scope checked by the caller) in the caller's
 * transaction; returns its id. */
export async function openRoundIn(
  trx: Transaction<DB>,
  user: CurrentUser,
  county: RegionRow,
  year: number,
): Promise<number> {
  const id = await repo.insertRound(trx, { countyId: county.id, year, openedBy: user.id });
  if (id === undefined) {
    const existing = await repo.roundOf(trx, county.id, year);
    const state = existing ? ROUND_STATUS_LABEL[existing.status] : '已开启';
    throw new AppError('CONFLICT', `${county.name} ${year} 年度排查已经开启（${state}），每县每年只开启一次`);
  }
  await recordAudit(
    trx,
    actorOf(user),
    'screening_round.open',
    { type: 'screening_round', id, regionId: county.id },
    { year },
  );
  return id;
}

/** The county concludes its open round when every village is screened (应纳尽纳); final. */
export async function concludeRound(db: Db, user: CurrentUser, id: number): Promise<RoundReply> {
  assertRole(user, ['county']);
  const round = await repo.findRound(db, id);
  if (!round || !inScope(user, round.countyPath)) throw notFound();
  await db.transaction().execute((trx) => concludeRoundIn(trx, user, round));
  return getRounds(db, user, { regionId: round.countyId, year: round.year });
}

/** Concludes the round (role and scope checked by the caller) in the caller's transaction, under
 * the round's lock; refused while a village is missing or when it is concluded already. */
export async function concludeRoundIn(
  trx: Transaction<DB>,
  user: CurrentUser,
  round: Pick<repo.RoundRow, 'id' | 'countyId' | 'countyName' | 'year'>,
): Promise<void> {
  const status = await repo.lockStatus(trx, round.id);
  if (status !== 'open')
    throw new AppError('INVALID_STATE', `${round.countyName} ${round.year} 年度排查已经结束，不能再次结束`);
  const townships = await coverageUnder(trx, round.countyId, round.year);
  const why = refusalOf(townships);
  if (why) throw new AppError('INVALID_STATE', why);
  const coverage = total(townships);
  await repo.concludeRound(trx, round.id, user.id, coverage);
  await recordAudit(
    trx,
    actorOf(user),
    'screening_round.conclude',
    { type: 'screening_round', id: round.id, regionId: round.countyId },
    {
      year: round.year,
      ...coverage,
    },
  );
}

/** The county's round of the year, if any (for other modules: the demo seed). */
export const roundOf = (db: Db, countyId: number, year: number): Promise<repo.RoundRow | undefined> =>
  repo.roundOf(db, countyId, year);
