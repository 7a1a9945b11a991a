import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Redis } from 'ioredis';
import { AppError } from '../errors.ts';

// Registered with global: false: each route states its own limit deliberately (a village hall sits
// behind one NAT address, so the ballot routes must never lock out an IP). With REDIS_URL the
// counters live in Redis so the limits hold across instances.
async function rateLimitPlugin(app: FastifyInstance, opts: { redisUrl: string | undefined }): Promise<void> {
  let redis: Redis | undefined;
  if (opts.redisUrl) {
    redis = new Redis(opts.redisUrl, { connectTimeout: 2000, maxRetriesPerRequest: 1, enableOfflineQueue: false });
    redis.on('error', (err) => app.log.warn({ err: err.message }, 'redis error'));
    app.addHook('onClose', async () => {
      redis?.disconnect();
    });
  }
  await app.register(rateLimit, {
    global: false,
    ...(redis ? { redis, nameSpace: 'vre-rl:' } : {}),
    // Redis down must not take the service down: the limit is then not enforced rather than 500.
    skipOnError: true,
    errorResponseBuilder: (_req, ctx) =>
      new AppError('RATE_LIMITED', `请求过于频繁，请 ${Math.ceil(ctx.ttl / 1000)} 秒后再试`, {
        retryAfterSeconds: Math.ceil(ctx.ttl / 1000),
      }),
  });
}

export default fp(rateLimitPlugin, { name: 'rate-limit', fastify: '5.x' });
