import { Type, type Static } from 'typebox';
import { ROLES } from '../../lib/access.ts';

export const RoleSchema = Type.Union([
  Type.Literal('admin'),
  Type.Literal('city'),
  Type.Literal('county'),
  Type.Literal('township'),
  Type.Literal('village'),
  Type.Literal('department'),
]);
/** A timestamp: a Date on the server, an ISO 8601 string on the wire. */
export const DateTime = Type.Unsafe<Date | string>({ type: 'string', format: 'date-time' });
export const ALL_ROLES = ROLES;

export const UserSchema = Type.Object({
  id: Type.Integer(),
  username: Type.String(),
  displayName: Type.String(),
  role: RoleSchema,
  regionId: Type.Integer(),
  regionName: Type.String(),
  regionLevel: Type.String(),
});
export type UserView = Static<typeof UserSchema>;

export const LoginBody = Type.Object(
  {
    username: Type.String({ minLength: 1, maxLength: 64 }),
    password: Type.String({ minLength: 1, maxLength: 256 }),
  },
  { additionalProperties: false },
);

export const UserReply = Type.Object({ user: UserSchema });
/** Who is logged in, asked before anyone may be: null instead of a 401 (the console's first load). */
export const SessionReply = Type.Object({ user: Type.Union([UserSchema, Type.Null()]) });

export const ChangePasswordBody = Type.Object(
  {
    currentPassword: Type.String({ minLength: 1, maxLength: 256 }),
    newPassword: Type.String({ minLength: 1, maxLength: 128 }),
  },
  { additionalProperties: false },
);

export const OkReply = Type.Object({ ok: Type.Literal(true) });
