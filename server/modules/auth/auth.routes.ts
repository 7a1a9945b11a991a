import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Db } from '../../db/database.ts';
import { clearSessionCookie, SESSION_COOKIE, setSessionCookie, userOf } from '../../plugins/auth.ts';
import { ChangePasswordBody, LoginBody, OkReply, UserReply } from './auth.schemas.ts';
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
      const previous = request.cookies[SESSION_COOKIE];
      if (previous) await auth.logout(db, previous);
      const { sessionId, user } = await auth.login(db, request.body.username, request.body.password);
      setSessionCookie(request, reply, sessionId);
      return { user: await auth.describeUser(db, user) };
    },
  );

  app.post(
    '/api/auth/logout',
    { schema: { tags: ['auth'], summary: '退出登录', response: { 200: OkReply } }, onRequest: app.requireUser() },
    async (request, reply) => {
      const sessionId = request.cookies[SESSION_COOKIE];
      if (sessionId) await auth.logout(db, sessionId);
      clearSessionCookie(request, reply);
      return { ok: true as const };
    },
  );

  app.get(
    '/api/auth/me',
    { schema: { tags: ['auth'], summary: '当前用户', response: { 200: UserReply } }, onRequest: app.requireUser() },
    async (request) => ({ user: await auth.describeUser(db, userOf(request)) }),
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
      onRequest: app.requireUser(),
    },
    async (request, reply) => {
      await auth.changePassword(db, userOf(request), request.body.currentPassword, request.body.newPassword);
      clearSessionCookie(request, reply);
      return { ok: true as const };
    },
  );
};

export default authRoutes;
