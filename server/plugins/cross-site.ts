import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from '../errors.ts';

// OWASP's Fetch Metadata defence instead of CSRF tokens: a state-changing request whose
// Sec-Fetch-Site is cross-site, or whose Origin names another site, is refused. Clients that send
// neither header (curl, scripts) need no token.
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

export function isCrossSite(request: FastifyRequest, publicUrl: string): boolean {
  if (SAFE.has(request.method)) return false;
  if (request.headers['sec-fetch-site'] === 'cross-site') return true;
  const origin = request.headers.origin;
  if (origin === undefined) return false;
  if (origin === 'null') return true;
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    return true;
  }
  return host !== request.host && host !== new URL(publicUrl).host;
}

async function crossSite(app: FastifyInstance, opts: { publicUrl: string }): Promise<void> {
  app.addHook('onRequest', async (request) => {
    if (isCrossSite(request, opts.publicUrl)) {
      throw new AppError('CROSS_SITE_REQUEST', '拒绝来自其他网站的请求');
    }
  });
}

export default fp(crossSite, { name: 'cross-site', fastify: '5.x' });
