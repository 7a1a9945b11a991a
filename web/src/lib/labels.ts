import type { Level, Role } from './api.ts';

export const ROLE_LABEL: Record<Role, string> = {
  admin: '系统管理员',
  city: '市委组织部',
  county: '县委组织部',
  township: '乡镇党委',
  village: '村党组织书记',
  department: '行业部门',
};

export const LEVEL_LABEL: Record<Level, string> = { city: '市', county: '县', township: '乡镇', village: '村' };

/** The region level an account of this role is bound to; an admin may sit at any level. */
export const ROLE_LEVEL: Record<Role, Level | null> = {
  admin: null,
  city: 'city',
  county: 'county',
  township: 'township',
  village: 'village',
  department: 'county',
};

export function levelLabel(level: string): string {
  return LEVEL_LABEL[level as Level] ?? level;
}

export function formatDate(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

/** A session's title with its village in front, unless the title already names it (default titles
 * do: 「东山村 2026年度村级自评」), so printed headings never read 「东山村东山村…」. */
export function titleWithVillage(village: string, title: string, sep = ''): string {
  return title.startsWith(village) ? title : `${village}${sep}${title}`;
}
