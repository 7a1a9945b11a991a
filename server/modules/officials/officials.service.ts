// Accounts of officials. An admin manages accounts inside the admin's subtree; a county also creates
// the 行业部门 (department) accounts of its own county (年内动态排查, issue 10 item 4b).
// Each account is bound to one region whose level matches its role (an admin may sit anywhere).
// Disabling an account or resetting its password ends all of its sessions at once.
import type { Db } from '../../db/database.ts';
import { assertInScope, assertRole, ROLE_LEVEL, type CurrentUser, type Role } from '../../lib/access.ts';
import { generatePassword, hashPassword, PASSWORD_MIN_LENGTH } from '../../lib/passwords.ts';
import { AppError, forbidden, notFound } from '../../errors.ts';
import { actorOf, recordAudit } from '../audit/audit.service.ts';
import { endSessionsOf, resetThrottle } from '../auth/auth.service.ts';
import { getRegionInScope, LEVEL_LABEL } from '../regions/regions.service.ts';
import { departmentName } from '../deptreports/deptreports.rules.ts';
import * as repo from './officials.repository.ts';

export type { OfficialRow } from './officials.repository.ts';
export { findForLogin } from './officials.repository.ts';

export interface NewOfficial {
  username: string;
  displayName?: string;
  role: Role;
  regionId: number;
  password?: string;
  /** 行业部门 only: a listed department, or 其他 with departmentName */
  department?: string;
  departmentName?: string;
}

/** The department's name of a new account: required for 行业部门, refused for any other role. */
function departmentOfNew(input: NewOfficial): string | null {
  if (input.role !== 'department') {
    if (input.department === undefined && input.departmentName === undefined) return null;
    throw new AppError('VALIDATION_FAILED', '只有行业部门账户填写部门', [
      { field: 'department', message: '该角色无部门' },
    ]);
  }
  const got = departmentName(input.department ?? '', input.departmentName);
  if ('field' in got) throw new AppError('VALIDATION_FAILED', got.message, [got]);
  return got.name;
}

export function checkPasswordPolicy(password: string, field = 'password'): void {
  if (password.length < PASSWORD_MIN_LENGTH || !/[A-Za-z]/.test(password) || !/[0-9]/.test(password)) {
    throw new AppError('VALIDATION_FAILED', `密码至少 ${PASSWORD_MIN_LENGTH} 位，且须同时包含字母和数字`, [
      { field, message: '密码强度不足' },
    ]);
  }
}

export async function listOfficials(db: Db, user: CurrentUser): Promise<repo.OfficialRow[]> {
  assertRole(user, ['admin']);
  return repo.listInSubtree(db, user.regionId);
}

async function officialInScope(db: Db, user: CurrentUser, id: number): Promise<repo.OfficialRow> {
  const row = await repo.findById(db, id);
  if (!row) throw notFound();
  assertInScope(user, row.regionPath);
  return row;
}

export async function createOfficial(
  db: Db,
  user: CurrentUser,
  input: NewOfficial,
): Promise<{ official: repo.OfficialRow; password: string }> {
  // a county official creates only 行业部门 accounts, and only in its own county
  if (user.role === 'county' && (input.role !== 'department' || input.regionId !== user.regionId)) throw forbidden();
  assertRole(user, ['admin', 'county']);
  const region = await getRegionInScope(db, user, input.regionId);
  if (input.role !== 'admin' && ROLE_LEVEL[input.role] !== region.level) {
    throw new AppError('VALIDATION_FAILED', `该角色只能绑定到${LEVEL_LABEL[ROLE_LEVEL[input.role]]}级区域`, [
      { field: 'regionId', message: '区域层级与角色不符' },
    ]);
  }
  // The policy is for passwords people choose: a generated one (≈ 69 random bits) may lack a digit,
  // and checking it failed about one creation in seven.
  if (input.password !== undefined) checkPasswordPolicy(input.password);
  const department = departmentOfNew(input);
  const password = input.password ?? generatePassword();
  const passwordHash = await hashPassword(password);
  const id = await db.transaction().execute(async (trx) => {
    if (await repo.usernameExists(trx, input.username)) {
      throw new AppError('USERNAME_TAKEN', `用户名 ${input.username} 已被使用`, [
        { field: 'username', message: '已被使用' },
      ]);
    }
    const newId = await repo.insertOfficial(trx, {
      username: input.username,
      displayName: input.displayName ?? '',
      role: input.role,
      department,
      regionId: region.id,
      passwordHash,
    });
    await recordAudit(
      trx,
      actorOf(user),
      'official.create',
      { type: 'official', id: newId, regionId: region.id },
      {
        username: input.username,
        role: input.role,
        ...(department === null ? {} : { department }),
      },
    );
    return newId;
  });
  const official = await repo.findById(db, id);
  return { official: official as repo.OfficialRow, password };
}

/** A county's 行业部门 accounts (the county itself). */
export async function listDepartmentAccounts(db: Db, user: CurrentUser): Promise<repo.OfficialRow[]> {
  assertRole(user, ['county']);
  return repo.listDepartments(db, user.regionId);
}

/** A county creates a 行业部门 account of its own county. */
export function createDepartmentAccount(
  db: Db,
  user: CurrentUser,
  input: { username: string; displayName?: string; department: string; departmentName?: string },
): Promise<{ official: repo.OfficialRow; password: string }> {
  assertRole(user, ['county']);
  return createOfficial(db, user, { ...input, role: 'department', regionId: user.regionId });
}

export async function setOfficialDisabled(
  db: Db,
  user: CurrentUser,
  id: number,
  disabled: boolean,
): Promise<repo.OfficialRow> {
  assertRole(user, ['admin']);
  const target = await officialInScope(db, user, id);
  if (target.id === user.id && disabled) {
    throw new AppError('INVALID_STATE', '不能停用自己的账户');
  }
  await db.transaction().execute(async (trx) => {
    await repo.setDisabled(trx, id, disabled);
    if (disabled) await endSessionsOf(trx, id);
    await recordAudit(trx, actorOf(user), disabled ? 'official.disable' : 'official.enable', {
      type: 'official',
      id,
      regionId: target.regionId,
    });
  });
  return (await repo.findById(db, id)) as repo.OfficialRow;
}

export async function resetOfficialPassword(db: Db, user: CurrentUser, id: number): Promise<{ password: string }> {
  assertRole(user, ['admin']);
  const target = await officialInScope(db, user, id);
  const password = generatePassword();
  const passwordHash = await hashPassword(password);
  await db.transaction().execute(async (trx) => {
    await repo.setPasswordHash(trx, id, passwordHash);
    await endSessionsOf(trx, id);
    await resetThrottle(trx, target.username);
    await recordAudit(trx, actorOf(user), 'official.reset_password', {
      type: 'official',
      id,
      regionId: target.regionId,
    });
  });
  return { password };
}

export async function changeOwnPassword(db: Db, user: CurrentUser, newPassword: string): Promise<void> {
  checkPasswordPolicy(newPassword, 'newPassword');
  const passwordHash = await hashPassword(newPassword);
  await db.transaction().execute(async (trx) => {
    await repo.setPasswordHash(trx, user.id, passwordHash);
    await endSessionsOf(trx, user.id);
    await recordAudit(trx, actorOf(user), 'official.change_password', { type: 'official', id: user.id });
  });
}

export async function countOfficials(db: Db): Promise<number> {
  return repo.countAll(db);
}

/**
 * The official as a user acting without a request (a scheduled open or close runs as the official
 * who scheduled it), with whether the account is disabled; undefined when there is no such account.
 */
export async function actingOfficial(
  db: Db,
  id: number,
): Promise<{ user: CurrentUser; disabled: boolean } | undefined> {
  const row = await repo.findById(db, id);
  if (!row) return undefined;
  const { username, displayName, role, regionId, regionPath } = row;
  return { user: { id, username, displayName, role, regionId, regionPath }, disabled: row.disabled };
}
