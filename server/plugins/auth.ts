import cookie from '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import type { Db } from '../db/database.ts';
import { AppError, forbidden } from '../errors.ts';
import { OFFICIAL_ROLES, type CurrentUser, type Role } from '../lib/access.ts';
import { resolveSession } from '../modules/auth/auth.service.ts';
import { DEVICE_COOKIE } from '../modules/auth/auth.device.ts';
import { DEVICE_COOKIE_SECONDS, SESSION_ABSOLUTE_SECONDS } from '../modules/auth/auth.rules.ts';

export const SESSION_COOKIE = 'vre_sid';

declare module 'fastify' {
  interface FastifyRequest {
    user: CurrentUser | null;
  }
  interface FastifyInstance {
    /** onRequest hook: the caller must be logged in, and have one of `roles`; without `roles`, any
     * role but 行业部门 (a department account reaches only the routes that name it). */
    requireUser(roles?: readonly Role[]): onRequestHookHandler;
  }
}

/** The logged-in user of a request that passed requireUser. */
export function userOf(request: FastifyRequest): CurrentUser {
  if (!request.user) throw new AppError('UNAUTHENTICATED', '请先登录');
  return request.user;
}

/** Every cookie of ours: HttpOnly, SameSite=Strict, Secure when the request came over https. */
function cookieOptions(request: FastifyRequest, path: string) {
  return { path, httpOnly: true, sameSite: 'strict', secure: request.protocol === 'https' } as const;
}

export function setSessionCookie(request: FastifyRequest, reply: FastifyReply, sessionId: string): void {
  reply.setCookie(SESSION_COOKIE, sessionId, { ...cookieOptions(request, '/'), maxAge: SESSION_ABSOLUTE_SECONDS });
}

export function clearSessionCookie(request: FastifyRequest, reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, cookieOptions(request, '/'));
}

/** The device cookie (auth.device.ts): sent only to /api/auth/…, where passwords are checked. */
export function setDeviceCookie(request: FastifyRequest, reply: FastifyReply, value: string): void {
  reply.setCookie(DEVICE_COOKIE, value, { ...cookieOptions(request, '/api/auth'), maxAge: DEVICE_COOKIE_SECONDS });
}

export function deviceCookieOf(request: FastifyRequest): string | undefined {
  return request.cookies[DEVICE_COOKIE];
}

async function auth(app: FastifyInstance, opts: { db: Db }): Promise<void> {
  await app.register(cookie);
  app.decorateRequest('user', null);
  app.decorate('requireUser', (roles?: readonly Role[]): onRequestHookHandler => {
    return async (request) => {
      const sessionId = request.cookies[SESSION_COOKIE];
      request.user = sessionId ? await resolveSession(opts.db, sessionId) : null;
      if (!request.user) throw new AppError('UNAUTHENTICATED', '请先登录');
      if (!(roles ?? OFFICIAL_ROLES).includes(request.user.role)) throw forbidden();
    };
  });
}

export default fp(auth, { name: 'auth', fastify: '5.x' });
