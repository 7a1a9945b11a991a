// Names the case pages show for the states, lights, grades and session kinds of a rectification
// case (the server sends the labels of each case too; these serve the filters and the step bar).
// State and grade labels come from the server's pure rules module, so they cannot drift.
import type { FortressGrade, LightColor } from '../../lib/casesApi.ts';

/** The nine states in the order a case passes through them, and their labels: the server's. */
export { CASE_STATES as STATE_ORDER, GRADE_LABEL, STATE_LABEL } from '../../../../server/modules/cases/cases.rules.ts';

export const LIGHT_LABEL: Record<LightColor, string> = { red: '红灯', yellow: '黄灯', green: '绿灯' };
export const LIGHTS: readonly LightColor[] = ['red', 'yellow', 'green'];

export const GRADES: readonly FortressGrade[] = ['strong', 'middle', 'weak'];

/** The kind of evaluation session a case in this state may start (none in the other states). */
export { SESSION_KIND_OF_STATE as SESSION_KIND_IN } from '../../../../server/modules/cases/cases.rights.ts';

export const RESPONSIBLE_LABEL = {
  countyLeader: '县级领导联村',
  townshipLeader: '乡镇领导包村',
  firstSecretary: '第一书记驻村',
  pairedUnit: '结对帮扶单位',
} as const;
export type ResponsibleKey = keyof typeof RESPONSIBLE_LABEL;
export const RESPONSIBLE_KEYS = Object.keys(RESPONSIBLE_LABEL) as ResponsibleKey[];

/** Today as YYYY-MM-DD in China time: the default for date inputs and the lower bound of deadlines. */
export function todayInChina(now = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(now);
}

/** The date `days` after a YYYY-MM-DD date. */
export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}
