// 堡垒指数 and 负向测评 of the demo county in the demo campaign's year, through the services: the
// county's sheet and negative list (the editable defaults); 东山镇 scores its three villages (东山村
// 强村 91, 桃园村 中等村 72, 柳溪村 弱村 52, screened: 中风险 → 重点防控村), 西河乡 scores 西河村 (the demo
// case's village) 弱村 48, screened: 高风险 → 软弱涣散村, 杏林村 中等村 75 and 石桥村 强村 88, so that
// every village is screened and the year's round can be concluded (demo.decisions.ts). Only what is
// missing is added.
import type { Transaction } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { CurrentUser } from '../../lib/access.ts';
import { gradeOfYear, scoreVillageIn } from '../grading/grading.service.ts';
import { createSheetIn, getSheet } from '../grading/grading.sheets.service.ts';
import { getRegion } from '../regions/regions.service.ts';
import { createListIn, getList } from '../risk/risk.lists.service.ts';
import { getScreening, screenVillageIn } from '../risk/risk.service.ts';

interface Plan {
  village: string;
  total: number;
  present: string[];
  evidence?: string;
}

const EAST: Plan[] = [
  { village: '东山村', total: 91, present: [] },
  { village: '桃园村', total: 72, present: [] },
  {
    village: '柳溪村',
    total: 52,
    present: ['矛盾纠纷多发频发', '信访问题突出'],
    evidence: '年内土地流转纠纷 5 起、重复信访 3 件（镇综治中心台账）',
  },
];
const WEST: Plan[] = [
  {
    village: '西河村',
    total: 48,
    present: ['村党组织政治功能不强', '村“两委”班子不团结、战斗力不强', '党务、村务、财务公开不规范'],
    evidence: '镇党委走访谈话记录；村务公开栏半年未更新',
  },
  { village: '杏林村', total: 75, present: [] },
  { village: '石桥村', total: 88, present: [] },
];

export interface DemoPeople {
  county: CurrentUser;
  east: CurrentUser;
  west: CurrentUser;
}

export async function ensureDemoGrading(
  trx: Transaction<DB>,
  people: DemoPeople,
  year: number,
  villages: { id: number; name: string }[],
): Promise<void> {
  const countyId = people.county.regionId;
  const county = { id: countyId, name: '演示县' };
  let sheet = (await getSheet(trx, people.county, { regionId: countyId, year })).sheet;
  if (!sheet) {
    await createSheetIn(trx, people.county, county, { regionId: countyId, year, from: 'defaults' });
    sheet = (await getSheet(trx, people.county, { regionId: countyId, year })).sheet;
  }
  if (!(await getList(trx, people.county, { regionId: countyId, year })).list) {
    await createListIn(trx, people.county, county, { regionId: countyId, year, from: 'defaults' });
  }
  const list = (await getList(trx, people.county, { regionId: countyId, year })).list;
  if (!sheet || !list) return;
  for (const [township, plans] of [
    [people.east, EAST],
    [people.west, WEST],
  ] as const) {
    for (const plan of plans) {
      const id = villages.find((v) => v.name === plan.village)?.id;
      const village = id === undefined ? undefined : await getRegion(trx, id);
      if (!village) continue;
      if (!(await gradeOfYear(trx, village.id, year))) {
        let left = plan.total;
        const items = sheet.items.map((it) => {
          const score = Math.min(it.maxScore, left);
          left -= score;
          return { itemId: it.id, score, note: score < it.maxScore ? '对照台账和走访情况扣分' : '' };
        });
        await scoreVillageIn(trx, township, village, { year, items });
      }
      const weak = (await gradeOfYear(trx, village.id, year))?.grade === 'weak';
      if (!weak || (await getScreening(trx, township, village.id, year)).current) continue;
      const marks = list.items.map((it) => {
        const present = plan.present.includes(it.title);
        return { itemId: it.id, present, evidence: present ? (plan.evidence ?? '') : '' };
      });
      await screenVillageIn(trx, township, village, { year, marks });
    }
  }
}
