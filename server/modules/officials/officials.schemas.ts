import { Type } from 'typebox';
import { DateTime, RoleSchema } from '../auth/auth.schemas.ts';

export const OfficialSchema = Type.Object({
  id: Type.Integer(),
  username: Type.String(),
  displayName: Type.String(),
  role: RoleSchema,
  /** 行业部门 accounts: the department's name; null for every other role */
  department: Type.Union([Type.String(), Type.Null()]),
  regionId: Type.Integer(),
  regionName: Type.String(),
  regionLevel: Type.String(),
  disabled: Type.Boolean(),
  createdAt: DateTime,
});

export const IdParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2147483647 }) });

export const CreateOfficialBody = Type.Object(
  {
    username: Type.String({ pattern: '^[A-Za-z0-9_.-]{3,32}$', description: '3–32 位字母、数字、_ . -' }),
    displayName: Type.Optional(Type.String({ maxLength: 32 })),
    role: RoleSchema,
    regionId: Type.Integer({ minimum: 1, maximum: 2147483647 }),
    password: Type.Optional(Type.String({ minLength: 8, maxLength: 128 })),
    /** 行业部门 only: one of the listed departments, or 其他 with departmentName */
    department: Type.Optional(Type.String({ maxLength: 32 })),
    departmentName: Type.Optional(Type.String({ maxLength: 64 })),
  },
  { additionalProperties: false },
);

/** A county's new 行业部门 account (the county's own region; no role or region to give). */
export const CreateDepartmentBody = Type.Object(
  {
    username: Type.String({ pattern: '^[A-Za-z0-9_.-]{3,32}$', description: '3–32 位字母、数字、_ . -' }),
    displayName: Type.Optional(Type.String({ maxLength: 32 })),
    department: Type.String({ maxLength: 32 }),
    departmentName: Type.Optional(Type.String({ maxLength: 64 })),
  },
  { additionalProperties: false },
);

export const OfficialListReply = Type.Object({ officials: Type.Array(OfficialSchema) });
export const OfficialReply = Type.Object({ official: OfficialSchema });
export const CreatedOfficialReply = Type.Object({ official: OfficialSchema, password: Type.String() });
export const PasswordReply = Type.Object({ password: Type.String() });
