// 年内动态排查 in the demo: the demo county's 信访 account (demo_dept) has filed one report about
// 西河乡杏林村, still untreated, so the county finds it in its inbox to dismiss or screen. Filed
// through the deptreports service, once (a department with any report is left as it is).
import type { Transaction } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { CurrentUser } from '../../lib/access.ts';
import { fileReportIn, hasFiled } from '../deptreports/deptreports.service.ts';

export const DEMO_DEPARTMENT = '信访';
export const DEMO_REPORT_VILLAGE = '杏林村';

export async function ensureDemoReport(
  trx: Transaction<DB>,
  department: CurrentUser,
  villageId: number,
  eventDate: string,
): Promise<void> {
  if (await hasFiled(trx, department.id)) return;
  await fileReportIn(trx, department, DEMO_DEPARTMENT, {
    villageId,
    category: 'petition',
    description:
      '杏林村近三个月群众到县信访局集体上访 3 次，反映村集体土地流转收益分配不公开、村务监督委员会未发挥作用，村干部对群众诉求答复不及时。',
    eventDate,
  });
}
