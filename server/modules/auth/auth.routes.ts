import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Db } from '../../db/database.ts';
import { ROLES } from '../../lib/access.ts';
import {
  clearSessionCookie,
  deviceCookieOf,
  SESSION_COOKIE,
  setDeviceCookie,
  setSessionCookie,
  userOf,
} from '../../plugins/auth.ts';
import { ChangePasswordBody, LoginBody, OkReply, SessionReply, UserReply } from './auth.schemas.ts';
import * as auth from './auth.service.ts';

const authRoutes: FastifyPluginAsyncTypebox<{ db: Db }> = async (app, { db }) => {
  app.post(
    '/api/auth/login',
    {
      schema: { tags: ['auth'], summary: '登录', body: LoginBody, response: { 200: UserReply } },
      // A generous per-address ceiling against floods; guessing is stopped per account in the service.
      config: { rateLimit: { max: 300, timeWindow: '1 minute' } },
    },
    async (request, reply) => {
      const { username, password } = request.body;
      const { sessionId, deviceCookie, user } = await auth.login(db, username, password, deviceCookieOf(request));
      // Only a successful login replaces the session the browser had: a wrong password leaves it be.
      const previous = request.cookies[SESSION_COOKIE];
      if (previous) await auth.logout(db, previous);
      setSessionCookie(request, reply, sessionId);
      setDeviceCookie(request, reply, deviceCookie);
      return { user: await auth.describeUser(db, user) };
    },
  );

  app.post(
    '/api/auth/logout',
    { schema: { tags: ['auth'], summary: '退出登录', response: { 200: OkReply } }, onRequest: app.requireUser(ROLES) },
    async (request, reply) => {
      const sessionId = request.cookies[SESSION_COOKIE];
      if (sessionId) await auth.logout(db, sessionId);
      clearSessionCookie(request, reply);
      return { ok: true as const };
    },
  );

  app.get(
    '/api/auth/me',
    {
      schema: { tags: ['auth'], summary: '当前用户', response: { 200: UserReply } },
      onRequest: app.requireUser(ROLES),
    },
    async (request) => ({ user: await auth.describeUser(db, userOf(request)) }),
  );

  // The console's first question on every load: answered 200 whether or not anyone is logged in, so
  // a browser opening the login page logs no failed request.
  app.get(
    '/api/auth/session',
    { schema: { tags: ['auth'], summary: '当前登录状态（未登录时 user 为 null）', response: { 200: SessionReply } } },
    async (request) => ({ user: await auth.sessionUser(db, request.cookies[SESSION_COOKIE]) }),
  );

  app.post(
    '/api/auth/password',
    {
      schema: {
        tags: ['auth'],
        summary: '修改自己的密码（之后需重新登录）',
        body: ChangePasswordBody,
        response: { 200: OkReply },
      },
      onRequest: app.requireUser(ROLES),
    },
    async (request, reply) => {
      const { currentPassword, newPassword } = request.body;
      await auth.changePassword(db, userOf(request), currentPassword, newPassword, deviceCookieOf(request));
      clearSessionCookie(request, reply);
      return { ok: true as const };
    },
  );
};

export default authRoutes;
