// 认定台账 (issue 10 item 7): every village of a township, county or city for a year with its 堡垒指数,
// its latest risk screening, the department reports about it and its decision on the township's
// list; the coverage of the annual screening (screening.rules screeningState, the same rule the
// round concludes by); an annual summary with the year's rules in words; and the register as XLSX.
// Read by the levels that oversee villages (city, county, township) for a region in their subtree
// (else the one 404); a village is no register (400). A fixed number of statements whatever the size.
import type { Db } from '../../db/database.ts';
import { AppError } from '../../errors.ts';
import { assertRole, type CurrentUser, type Role } from '../../lib/access.ts';
import { describeGrading } from '../grading/grading.rules.ts';
import { countyOf, getRegionInScope, type RegionRow } from '../regions/regions.service.ts';
import { attachment, chinaToday, type Cell } from '../reports/reports.rules.ts';
import { streamWorkbook } from '../reports/reports.workbook.ts';
import { describeRisk } from '../risk/risk.rules.ts';
import { coverageOf, screeningState, type Coverage } from '../screening/screening.rules.ts';
import * as repo from './identification.repository.ts';
import { decisionOf, orderedTypes, summarize, type RegisterRow } from './identification.rules.ts';
import type { RegisterQuery, RegisterReply, RegisterVillage, SummaryReply } from './identification.schemas.ts';
import { REGISTER_COLUMNS, registerRow, RULE_COLUMNS, TOWNSHIP_COLUMNS, townshipRow } from './identification.sheet.ts';
import type { Download } from '../reports/reports.service.ts';

export const REGISTER_READERS: readonly Role[] = ['city', 'county', 'township'];

type RegisterRegion = RegionRow & { level: 'city' | 'county' | 'township' };

/** The register's region: in the caller's subtree (else 404), a township or above (else 400). */
async function regionOf(db: Db, user: CurrentUser, regionId: number | undefined): Promise<RegisterRegion> {
  assertRole(user, REGISTER_READERS);
  const region = await getRegionInScope(db, user, regionId ?? user.regionId);
  if (region.level === 'village') {
    throw new AppError('BAD_REQUEST', '认定台账按乡镇、县或市查看，请选择乡镇或更高一级的区域');
  }
  return region as RegisterRegion;
}

function toVillage(r: repo.VillageRow): RegisterVillage {
  const decision = r.stage && r.outcome ? decisionOf(r.stage, r.outcome) : null;
  return {
    villageId: r.villageId,
    fortress: r.grade === null ? null : { score: r.gradeTotal as number, grade: r.grade },
    risk: r.level === null ? null : { types: orderedTypes(r.types ?? []), level: r.level },
    reports: r.reports,
    decision,
    villageName: r.villageName,
    townshipId: r.townshipId,
    townshipName: r.townshipName,
    state: screeningState(r.grade, r.screeningId !== null),
    // what the list named: shown with the decision only (a draft's entries are the township's own)
    preventionLevel: decision ? r.preventionLevel : null,
    caseId: decision ? r.caseId : null,
    listId: decision ? r.listId : null,
  };
}

interface Read {
  region: RegisterRegion;
  villages: RegisterVillage[];
  countyIdOf: Map<number, number>;
}

async function read(db: Db, user: CurrentUser, q: RegisterQuery): Promise<Read> {
  const region = await regionOf(db, user, q.regionId);
  const rows = await repo.registerRows(db, region.id, q.year);
  return {
    region,
    villages: rows.map(toVillage),
    countyIdOf: new Map(rows.map((r) => [r.villageId, r.countyId])),
  };
}

function townshipCoverage(villages: readonly RegisterVillage[]): RegisterReply['townships'] {
  const out = new Map<number, { id: number; name: string; states: RegisterVillage['state'][] }>();
  for (const v of villages) {
    const t = out.get(v.townshipId) ?? { id: v.townshipId, name: v.townshipName, states: [] };
    t.states.push(v.state);
    out.set(v.townshipId, t);
  }
  return [...out.values()].map((t) => ({ id: t.id, name: t.name, ...coverageOf(t.states) }));
}

const coverage = (villages: readonly RegisterVillage[]): Coverage => coverageOf(villages.map((v) => v.state));
const regionRef = (r: RegisterRegion) => ({ id: r.id, name: r.name, level: r.level });

export async function getRegister(db: Db, user: CurrentUser, q: RegisterQuery): Promise<RegisterReply> {
  const { region, villages } = await read(db, user, q);
  return {
    coverage: coverage(villages),
    villages,
    region: regionRef(region),
    year: q.year,
    townships: townshipCoverage(villages),
  };
}

async function rulesOf(db: Db, region: RegisterRegion, year: number): Promise<SummaryReply['rules']> {
  const counties = region.level === 'city' ? await repo.countiesUnder(db, region.id) : [countyOf(region) as number];
  const rows = await repo.countyRules(db, counties, year);
  return rows.map((r) => ({
    countyId: r.countyId,
    countyName: r.countyName,
    grading:
      r.strongMin === null || r.middleMin === null
        ? null
        : describeGrading({ strongMin: r.strongMin, middleMin: r.middleMin }, r.maxTotal ?? 0),
    risk:
      r.highMin === null || r.riskMiddleMin === null
        ? null
        : describeRisk({ highMin: r.highMin, middleMin: r.riskMiddleMin }),
  }));
}

function named(villages: readonly RegisterVillage[], outcome: 'rectify' | 'prevent'): SummaryReply['rectify'] {
  return villages.flatMap((v) =>
    v.decision?.outcome === outcome
      ? [
          {
            villageId: v.villageId,
            villageName: v.villageName,
            townshipName: v.townshipName,
            stage: v.decision.stage,
            level: v.risk?.level ?? null,
            types: v.risk?.types ?? [],
            preventionLevel: v.preventionLevel,
            caseId: v.caseId,
          },
        ]
      : [],
  );
}

export async function getSummary(db: Db, user: CurrentUser, q: RegisterQuery): Promise<SummaryReply> {
  const { region, villages } = await read(db, user, q);
  const [exited, rules] = await Promise.all([repo.exitedIn(db, region.id, q.year), rulesOf(db, region, q.year)]);
  const { total, townships } = summarize(villages as readonly RegisterRow[]);
  return {
    region: regionRef(region),
    year: q.year,
    coverage: coverage(villages),
    total,
    townships,
    rectify: named(villages, 'rectify'),
    prevent: named(villages, 'prevent'),
    exited,
    rules,
  };
}

/** The register as XLSX, streamed (reports.workbook): the villages, the townships' counts, the rules. */
export async function exportRegister(db: Db, user: CurrentUser, q: RegisterQuery, now = new Date()): Promise<Download> {
  const { region, villages, countyIdOf } = await read(db, user, q);
  const rules = await rulesOf(db, region, q.year);
  const countyName = new Map(rules.map((c) => [c.countyId, c.countyName]));
  const { townships } = summarize(villages as readonly RegisterRow[]);
  const screenedOf = new Map(townshipCoverage(villages).map((t) => [t.id, t.screened]));
  const day = chinaToday(now);
  async function* once<T>(rows: T[]) {
    yield rows;
  }
  return {
    disposition: attachment(
      `认定台账_${region.name}_${q.year}年度_${day}.xlsx`,
      `identification_${region.id}_${q.year}_${day}.xlsx`,
    ),
    stream: streamWorkbook(now, async (book) => {
      await book.sheet({ name: `${q.year}年度认定台账`, columns: REGISTER_COLUMNS }, once(villages), (v) => [
        registerRow(countyName.get(countyIdOf.get(v.villageId) ?? 0) ?? '', v),
      ]);
      await book.sheet({ name: '按乡镇汇总', columns: TOWNSHIP_COLUMNS }, once(townships), (t) => [
        townshipRow(t, screenedOf.get(t.townshipId) ?? 0),
      ]);
      await book.sheet({ name: '测评规则', columns: RULE_COLUMNS }, once(rules), (r): Cell[][] => [
        [r.countyName, r.grading ?? '本年度尚未制定堡垒指数评分表', r.risk ?? '本年度尚未制定负面清单'],
      ]);
    }),
  };
}
