// 村情档案 of two 东山镇 villages, kept by the demo township account: 东山村 complete last year and
// this year (this year's income and disputes changed), 桃园村 this year only and half filled, so the
// list shows complete, partial and missing files and 柳溪村 can be started from nothing. Only what
// is missing is added; each file's creation is in its change log under demo_township1.
import type { Transaction } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { CurrentUser } from '../../lib/access.ts';
import { chinaYear, ensureFile } from '../villagefiles/villagefiles.service.ts';
import type { FileData } from '../villagefiles/villagefiles.rules.ts';

const EAST: FileData = {
  households: 412,
  registered: 1536,
  resident: 978,
  groups: 7,
  overviewNote: '位于镇区东侧，以设施蔬菜和林果种植为主，距镇政府 3 公里。',
  secretaryName: '陈立新',
  secretaryAge: 46,
  cadres: 7,
  reserves: 3,
  cadresNote: '书记、主任“一肩挑”，班子 7 人，大专以上学历 3 人。',
  members: 58,
  membersUpTo35: 9,
  members36To60: 27,
  membersOver60: 22,
  activists: 3,
  partyNote: '设 3 个党小组，“三会一课”按月开展。',
  income: 386_000,
  operatingIncome: 154_000,
  economyNote: '村集体经济收入主要来自蔬菜大棚租赁和光伏发电。',
  disputes: 6,
  disputesResolved: 6,
  petitions: 1,
  governanceNote: '村务公开栏按月更新，网格员 7 名。',
};

const PEACH: FileData = {
  households: 268,
  registered: 941,
  resident: 512,
  groups: 5,
  secretaryName: '周海燕',
  secretaryAge: 39,
  cadres: 5,
  members: 31,
};

export async function ensureDemoFiles(
  trx: Transaction<DB>,
  township: CurrentUser,
  villages: { id: number; name: string }[],
): Promise<void> {
  const year = chinaYear();
  const id = (name: string) => villages.find((v) => v.name === name)?.id;
  const east = id('东山村');
  const peach = id('桃园村');
  if (east !== undefined) {
    await ensureFile(trx, township, east, year - 1, { ...EAST, income: 352_000, disputes: 9, disputesResolved: 7 });
    await ensureFile(trx, township, east, year, EAST);
  }
  if (peach !== undefined) await ensureFile(trx, township, peach, year, PEACH);
}
