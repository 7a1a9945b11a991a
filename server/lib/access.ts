// Who may see what: an official sees and changes only their own region's subtree.
import { forbidden, notFound } from '../errors.ts';

export const ROLES = ['admin', 'city', 'county', 'township', 'village', 'department'] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_LABEL: Record<Role, string> = {
  admin: '系统管理员',
  city: '市委组织部',
  county: '县委组织部',
  township: '乡镇党委',
  village: '村党组织书记',
  department: '行业部门',
};

/** Every role but the department's: a 行业部门 account files reports about villages (deptreports)
 * and sees nothing else, so a route that names no roles is closed to it (plugins/auth.ts). */
export const OFFICIAL_ROLES: readonly Role[] = ['admin', 'city', 'county', 'township', 'village'];

/** The region level each role is bound to (admin may be bound to any level). */
export const ROLE_LEVEL: Record<Exclude<Role, 'admin'>, string> = {
  city: 'city',
  county: 'county',
  township: 'township',
  village: 'village',
  // a department serves one county (its reports are about that county's villages)
  department: 'county',
};

export interface CurrentUser {
  id: number;
  username: string;
  displayName: string;
  role: Role;
  regionId: number;
  /** ids from the root to the user's region, inclusive */
  regionPath: number[];
}

/** Is the region with this path inside the user's subtree? */
export function inScope(user: CurrentUser, regionPath: readonly number[]): boolean {
  return regionPath.includes(user.regionId);
}

/** Throws the one not-found answer when the object is missing or outside the user's subtree. */
export function assertInScope(user: CurrentUser, regionPath: readonly number[] | undefined): void {
  if (regionPath === undefined || !inScope(user, regionPath)) throw notFound();
}

export function assertRole(user: CurrentUser, roles: readonly Role[]): void {
  if (!roles.includes(user.role)) throw forbidden();
}
