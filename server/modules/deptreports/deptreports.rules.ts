// 年内动态排查: the pure rules of a department's report about a village (no I/O).
//
// A 行业部门 account (bound to its county) files a report about one village of that county. The
// report then waits for the county organization department, which either dismisses it with a
// reason or asks for an immediate risk screening of the village. Both are final: a report is
// never withdrawn or reopened (a department with more to say files a new one), so the record of
// who reported what stays whole. The township of the village may add notes at any time.
import type { Role } from '../../lib/access.ts';

/** The departments of seed 003 (年内动态排查), then 其他 with a name of its own. */
export const DEPARTMENTS = [
  '纪委监委',
  '宣传',
  '统战',
  '社工',
  '政法',
  '民宗',
  '公安',
  '司法',
  '民政',
  '信访',
  '农业农村',
] as const;
export const OTHER_DEPARTMENT = '其他';
export const DEPARTMENT_NAME_MAX = 32;

export const CATEGORIES = ['petition', 'integrity', 'security', 'governance', 'economy', 'other'] as const;
export type Category = (typeof CATEGORIES)[number];
export const CATEGORY_LABEL: Record<Category, string> = {
  petition: '信访矛盾',
  integrity: '党风廉政',
  security: '治安问题',
  governance: '村级治理',
  economy: '集体经济',
  other: '其他',
};

export const STATUSES = ['submitted', 'dismissed', 'screening_requested'] as const;
export type Status = (typeof STATUSES)[number];
export const STATUS_LABEL: Record<Status, string> = {
  submitted: '待处理',
  dismissed: '已驳回',
  screening_requested: '已启动排查',
};

export type Action = 'submit' | 'dismiss' | 'request_screening' | 'note';
export const ACTION_LABEL: Record<Action, string> = {
  submit: '报送',
  dismiss: '驳回',
  request_screening: '启动排查',
  note: '乡镇备注',
};

export const DESCRIPTION_MIN = 10;
export const DESCRIPTION_MAX = 2000;
export const TEXT_MAX = 1000;

export interface FieldProblem {
  field: string;
  message: string;
}

/** The department's name from the choice and, under 其他, the name typed; or what is wrong. */
export function departmentName(choice: string, other: string | undefined): { name: string } | FieldProblem {
  if ((DEPARTMENTS as readonly string[]).includes(choice)) return { name: choice };
  if (choice !== OTHER_DEPARTMENT) return { field: 'department', message: '请选择行业部门' };
  const name = (other ?? '').trim();
  if (name.length === 0) return { field: 'departmentName', message: '选择“其他”时请填写部门名称' };
  if (name.length > DEPARTMENT_NAME_MAX) {
    return { field: 'departmentName', message: `部门名称不能超过 ${DEPARTMENT_NAME_MAX} 个字` };
  }
  return { name };
}

/** Days since 1970-01-01 of a YYYY-MM-DD that is a real calendar day, else null. */
function dayNumber(day: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = Date.UTC(y, mo - 1, d);
  const back = new Date(t);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return null;
  return t / 86_400_000;
}

/** What is wrong with a new report's fields (today: China's date, YYYY-MM-DD), or null. The event
 * must have happened: not after today, and within the last two years. */
export function reportProblem(
  input: { category: string; description: string; eventDate: string },
  today: string,
): FieldProblem | null {
  if (!(CATEGORIES as readonly string[]).includes(input.category)) {
    return { field: 'category', message: '请选择问题类别' };
  }
  const length = [...input.description.trim()].length;
  if (length < DESCRIPTION_MIN) {
    return { field: 'description', message: `请描述问题，至少 ${DESCRIPTION_MIN} 个字（现 ${length} 个字）` };
  }
  if (length > DESCRIPTION_MAX) {
    return { field: 'description', message: `问题描述不能超过 ${DESCRIPTION_MAX} 个字（现 ${length} 个字）` };
  }
  const day = dayNumber(input.eventDate);
  const now = dayNumber(today) ?? 0;
  if (day === null) return { field: 'eventDate', message: '请填写发生日期（年-月-日）' };
  if (day > now) return { field: 'eventDate', message: '发生日期不能晚于今天' };
  if (now - day > 731) return { field: 'eventDate', message: '发生日期不能早于两年前' };
  return null;
}

/** The county's two decisions: from 待处理 only. */
const DECISIONS: Record<'dismiss' | 'request_screening', { to: Status; roles: readonly Role[] }> = {
  dismiss: { to: 'dismissed', roles: ['county'] },
  request_screening: { to: 'screening_requested', roles: ['county'] },
};

export type Refusal = { reason: 'role' } | { reason: 'state'; message: string } | null;

/** May this role take this action on a report in this status? The role (403) before the state (409). */
export function refusal(role: Role, action: Exclude<Action, 'submit'>, status: Status): Refusal {
  if (action === 'note') return role === 'township' ? null : { reason: 'role' };
  if (!DECISIONS[action].roles.includes(role)) return { reason: 'role' };
  if (status !== 'submitted') {
    return { reason: 'state', message: `该报送已处理（${STATUS_LABEL[status]}），不能再${ACTION_LABEL[action]}` };
  }
  return null;
}

/** The status a decision leads to. */
export function nextStatus(action: 'dismiss' | 'request_screening'): Status {
  return DECISIONS[action].to;
}

/** The actions this role may take now on a report in this status (for the console's buttons). */
export function actionsFor(role: Role, status: Status): Exclude<Action, 'submit'>[] {
  return (['dismiss', 'request_screening', 'note'] as const).filter((a) => refusal(role, a, status) === null);
}

/** Who reads reports: the department (its own), and the township, county and city (their subtree). */
export const READER_ROLES: readonly Role[] = ['department', 'township', 'county', 'city'];
