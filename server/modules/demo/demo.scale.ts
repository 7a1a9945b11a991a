// The scale dataset of npm run seed:demo -- --scale county|city: a city of 1 or 5 counties of
// 1,000 villages in 25 townships each, three years of self-evaluations with about 100 ballots
// each, and cases in every state, for the board benchmark (npm run bench:board). Everything goes
// through the services: the villages through the CLI's import, accounts through createAdmin and
// createOfficial and logged in with login(), sessions, slips, ballots, closes and cases as in
// demo.scale.run.ts. The only direct write is backdateSessions (demo.repository.ts), for the
// timestamps the service stamps with the current time. A run refuses to start when the scale
// city's accounts already exist.
import type { Db } from '../../db/database.ts';
import { AppError } from '../../errors.ts';
import type { CurrentUser, Role } from '../../lib/access.ts';
import { login } from '../auth/auth.service.ts';
import { createCampaign } from '../cases/campaigns.service.ts';
import { createSheet } from '../grading/grading.sheets.service.ts';
import { createOfficial } from '../officials/officials.service.ts';
import { importVillagesFromCli } from '../regions/import.cli.ts';
import { createAdmin, DEMO_PASSWORD } from './demo.service.ts';
import * as repo from './demo.repository.ts';
import { runCase, runSession, type Counters, type People, type RunContext } from './demo.scale.run.ts';
import {
  caseFateOf,
  countyName,
  lookBackOf,
  placeOf,
  SCALE_CITY,
  sessionFateOf,
  shapeOf,
  townshipName,
  villageCode,
  villageCsv,
  type ScaleOptions,
} from './demo.scale.rules.ts';

export interface ScaleAccount {
  username: string;
  role: Role;
  regionId: number;
}

export interface ScaleResult {
  cityId: number;
  counties: { id: number; name: string; townshipIds: number[] }[];
  /** the accounts the benchmark logs in with (all with the public demo password) */
  accounts: ScaleAccount[];
  password: string;
  counts: repo.ScaleCounts;
  seconds: number;
}

interface Village {
  id: number;
  index: number;
  name: string;
  townshipIndex: number;
}

const APPLYING = new Set(['applied', 'township_check', 'county_acceptance', 'exited', 'monitoring']);

async function account(db: Db, admin: CurrentUser, username: string, role: Role, regionId: number, name: string) {
  await createOfficial(db, admin, { username, role, regionId, displayName: name, password: DEMO_PASSWORD });
  return (await login(db, username, DEMO_PASSWORD)).user;
}

/** Runs `work` over `items` with at most `limit` at a time. */
async function pool<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await work(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

export async function seedScale(
  db: Db,
  opts: ScaleOptions,
  env: { publicUrl: string; year: number; onProgress?: (line: string) => void },
): Promise<ScaleResult> {
  const started = Date.now();
  const say = (line: string) => env.onProgress?.(line);
  try {
    await createAdmin(db, { city: SCALE_CITY, username: 'scale_admin', password: DEMO_PASSWORD });
  } catch (err) {
    if (err instanceof AppError && err.code === 'USERNAME_TAKEN') {
      throw new AppError('USERNAME_TAKEN', '规模数据已存在（账户 scale_admin 已有）；请换一个空数据库再运行');
    }
    throw err;
  }
  const admin = (await login(db, 'scale_admin', DEMO_PASSWORD)).user;
  const csv = villageCsv(opts);
  await importVillagesFromCli(db, { filename: 'scale.csv', bytes: Buffer.from(csv) }, { city: SCALE_CITY });
  const regions = await repo.regionsUnder(db, admin.regionId);
  say(`已导入区域 ${regions.length} 个（${opts.counties} 个县，每县 ${opts.villagesPerCounty} 个村）`);
  const byCode = new Map(regions.filter((r) => r.code).map((r) => [r.code as string, r]));
  const city = await account(db, admin, 'scale_city', 'city', admin.regionId, '规模测试市委组织部');
  const accounts: ScaleAccount[] = [{ username: 'scale_city', role: 'city', regionId: city.regionId }];
  const counties: ScaleResult['counties'] = [];
  const counters: Counters = { sessions: 0, ballots: 0, cases: 0 };
  const ticker = setInterval(() => {
    const s = (Date.now() - started) / 1000;
    say(
      `  场次 ${counters.sessions}，选票 ${counters.ballots}（平均 ${Math.round(counters.ballots / s)} 张/秒），案件 ${counters.cases}，已用 ${Math.round(s)} 秒`,
    );
  }, 5000);
  try {
    for (let c = 0; c < opts.counties; c++) {
      const county = regions.find((r) => r.level === 'county' && r.name === countyName(c));
      if (!county) throw new AppError('INTERNAL', `导入后找不到${countyName(c)}`);
      const townships = Array.from({ length: opts.townshipsPerCounty }, (_, t) => {
        const found = regions.find((r) => r.parentId === county.id && r.name === townshipName(t));
        if (!found) throw new AppError('INTERNAL', `导入后找不到${townshipName(t)}`);
        return found;
      });
      counties.push({ id: county.id, name: county.name, townshipIds: townships.map((t) => t.id) });
      const tag = `c${c + 1}`;
      const countyUser = await account(db, admin, `scale_${tag}`, 'county', county.id, `${county.name}委组织部`);
      accounts.push({ username: `scale_${tag}`, role: 'county', regionId: county.id });
      const townshipUsers = await Promise.all(
        townships.map(async (t, ti) => {
          const username = `scale_${tag}_t${ti + 1}`;
          accounts.push({ username, role: 'township', regionId: t.id });
          return account(db, admin, username, 'township', t.id, `${t.name}党委`);
        }),
      );
      const villages: Village[] = Array.from({ length: opts.villagesPerCounty }, (_, i) => {
        const { t, v } = placeOf(opts, i);
        const region = byCode.get(villageCode(c, t, v));
        if (!region) throw new AppError('INTERNAL', `导入后找不到村 ${villageCode(c, t, v)}`);
        return { id: region.id, index: i, name: region.name, townshipIndex: t };
      });
      const villageUsers = new Map<number, CurrentUser>();
      const casesOf = new Map<number, number>();
      const applying = villages.filter((v) =>
        Array.from({ length: opts.years }, (_, y) => caseFateOf(opts, v.index, y)).some((f) => f && APPLYING.has(f)),
      );
      await pool(applying, 4, async (v) => {
        const username = `scale_${tag}_v${v.index + 1}`;
        villageUsers.set(v.id, await account(db, admin, username, 'village', v.id, `${v.name}书记`));
      });
      const ballots = c === 0 ? opts.ballots : opts.otherBallots;
      for (let y = 0; y < opts.years; y++) {
        const year = env.year - (opts.years - 1 - y);
        const campaign = await createCampaign(db, countyUser, {
          regionId: county.id,
          year,
          title: `${year}年度软弱涣散村党组织整顿`,
        });
        // the county's 堡垒指数 sheet of the year (the defaults): exit needs the township's grade
        await createSheet(db, countyUser, { regionId: county.id, year, from: 'defaults' });
        const ctx: RunContext = { db, publicUrl: env.publicUrl, counters, sessionIds: [] };
        say(`${county.name} ${year} 年：开始（每场约 ${ballots} 张选票）`);
        await pool(villages, opts.concurrency, async (v) => {
          const seed = c * 1_000_003 + v.index * 7919 + y * 104_729;
          const people: People = {
            city,
            county: countyUser,
            township: townshipUsers[v.townshipIndex] as CurrentUser,
            village: villageUsers.get(v.id),
          };
          const fate = caseFateOf(opts, v.index, y);
          if (fate) {
            const shape = shapeOf(seed, ballots, true);
            const caseId = await runCase(ctx, people, {
              campaignId: campaign.id,
              villageId: v.id,
              villageName: v.name,
              year,
              fate,
              shape,
              seed,
            });
            casesOf.set(v.id, caseId);
            return;
          }
          if (lookBackOf(opts, v.index, y)) {
            const lookBack = {
              villageId: v.id,
              kind: 'look_back' as const,
              title: `${year}年度${v.name}回头看`,
              caseId: casesOf.get(v.id),
            };
            const shape = shapeOf(seed, ballots, true);
            await runSession(ctx, countyUser, { ...lookBack, shape, end: 'closed', seed }, countyUser);
            return;
          }
          const end = sessionFateOf(opts, c, v.index, y);
          if (end === 'none') return;
          const plan = { villageId: v.id, kind: 'self_evaluation' as const, title: `${year}年度${v.name}村级自评` };
          await runSession(
            ctx,
            people.township,
            { ...plan, shape: shapeOf(seed, ballots), end, seed },
            people.township,
          );
        });
        if (year < env.year) await repo.backdateSessions(db, ctx.sessionIds, year);
        say(`${county.name} ${year} 年：完成，本年场次 ${ctx.sessionIds.length} 个；累计选票 ${counters.ballots} 张`);
      }
    }
  } finally {
    clearInterval(ticker);
  }
  const counts = await repo.scaleCounts(db, admin.regionId);
  return {
    cityId: admin.regionId,
    counties,
    accounts,
    password: DEMO_PASSWORD,
    counts,
    seconds: (Date.now() - started) / 1000,
  };
}
