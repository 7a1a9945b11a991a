import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

// No inline scripts anywhere: the Svelte bundles are files served from 'self'. QR codes are SVG
// images in data: URLs, hence img-src data:.
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Sets the headers; also called by the framework-error path, which bypasses the onSend hooks. */
export function setSecurityHeaders(request: FastifyRequest, reply: FastifyReply): void {
  reply.header('Content-Security-Policy', CSP);
  reply.header('X-Content-Type-Options', 'nosniff');
  reply.header('Referrer-Policy', 'no-referrer');
  reply.header('X-Frame-Options', 'DENY');
  reply.header('Cross-Origin-Opener-Policy', 'same-origin');
  reply.header('Permissions-Policy', 'geolocation=(), microphone=(), camera=(self)');
  if (request.protocol === 'https') reply.header('Strict-Transport-Security', 'max-age=31536000');
  if (request.url.startsWith('/api/')) reply.header('Cache-Control', 'no-store');
}

async function securityHeaders(app: FastifyInstance): Promise<void> {
  app.addHook('onSend', async (request, reply) => setSecurityHeaders(request, reply));
}

export default fp(securityHeaders, { name: 'security-headers', fastify: '5.x' });
