import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { describeDbError, isDatabaseUnavailable } from '../db/faults.ts';
import { AppError, databaseUnavailable, errorBody, type FieldError } from '../errors.ts';
import { setSecurityHeaders } from './security-headers.ts';

// Every error reply has one shape ({ statusCode, code, error, message, details? }). Validation
// errors name the field; 5xx messages are never shown to the client.

function fieldOf(e: { instancePath?: string; params?: Record<string, unknown> }): string {
  const base = (e.instancePath ?? '').replace(/^\//, '').replace(/\//g, '.');
  const extra = (e.params?.additionalProperty ?? e.params?.missingProperty) as string | undefined;
  if (extra) return base ? `${base}.${extra}` : extra;
  return base || '(body)';
}

function messageOf(e: { keyword?: string; message?: string; params?: Record<string, unknown> }): string {
  switch (e.keyword) {
    case 'required':
      return '缺少必填字段';
    case 'additionalProperties':
      return '不允许的字段';
    case 'type':
      return `类型错误，应为 ${String(e.params?.type)}`;
    case 'maxLength':
      return `长度不能超过 ${String(e.params?.limit)}`;
    case 'minLength':
      return `长度不能少于 ${String(e.params?.limit)}`;
    case 'maximum':
      return `不能大于 ${String(e.params?.limit)}`;
    case 'minimum':
      return `不能小于 ${String(e.params?.limit)}`;
    case 'minItems':
      return `不能少于 ${String(e.params?.limit)} 项`;
    case 'maxItems':
      return `不能多于 ${String(e.params?.limit)} 项`;
    case 'minProperties':
      return `至少填写 ${String(e.params?.limit)} 项`;
    case 'maxProperties':
      return `不能多于 ${String(e.params?.limit)} 项`;
    case 'enum':
    case 'const':
    case 'anyOf':
      return '取值不在允许范围内';
    case 'pattern':
    case 'format':
      return '格式不正确';
    default:
      return e.message ?? '取值不合法';
  }
}

/** Seconds a client is asked to wait before retrying while the database is unreachable. */
export const DATABASE_RETRY_AFTER_SECONDS = 2;

// PostgreSQL's class 22 (data exception): a value that passed the schema but that PostgreSQL cannot
// store, e.g. a NUL character in text (22021) or an out-of-range number. Always the input's fault.
const DATA_EXCEPTIONS = new Set(['22001', '22003', '22007', '22008', '22021', '22P02', '22P05']);

function isDataException(err: { code?: unknown }): boolean {
  return typeof err.code === 'string' && DATA_EXCEPTIONS.has(err.code) && !(err instanceof AppError);
}

export function toAppError(err: FastifyError & { validation?: unknown[]; validationContext?: string }): AppError {
  if (err instanceof AppError) return err;
  if (Array.isArray(err.validation)) {
    const details: FieldError[] = err.validation.map((v) => {
      const e = v as { instancePath?: string; keyword?: string; message?: string; params?: Record<string, unknown> };
      return { field: fieldOf(e), message: messageOf(e) };
    });
    const first = details[0];
    return new AppError('VALIDATION_FAILED', first ? `字段 ${first.field}：${first.message}` : '请求不合法', details);
  }
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('PAYLOAD_TOO_LARGE', '请求内容过大');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError('UNSUPPORTED_MEDIA_TYPE', '不支持的内容类型');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new AppError('INVALID_JSON', '请求内容不是合法的 JSON');
  }
  if (err instanceof SyntaxError) return new AppError('INVALID_JSON', '请求内容不是合法的 JSON');
  // A restart, failover or lost connection: nothing was decided, so the client may retry (a ballot
  // with the same client id gets its receipt if the submit did commit before the connection went).
  // Errors carrying an HTTP status come from Fastify (e.g. a client that hung up: ECONNRESET, 400).
  if (err.statusCode === undefined && isDatabaseUnavailable(err)) return databaseUnavailable();
  if (isDataException(err)) return new AppError('BAD_REQUEST', '请求中含有无法处理的字符或数值');
  const status = err.statusCode ?? 500;
  if (status === 429) return new AppError('RATE_LIMITED', '请求过于频繁，请稍后再试');
  if (status === 413) return new AppError('PAYLOAD_TOO_LARGE', '请求内容过大');
  if (status >= 400 && status < 500) return new AppError('BAD_REQUEST', '请求不合法');
  return new AppError('INTERNAL', '服务器内部错误，请稍后再试');
}

function sendError(appErr: AppError, cause: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (appErr.code === 'DATABASE_UNAVAILABLE') {
    // expected during an outage, one line per request: the error's code and message only
    request.log.warn({ code: appErr.code, cause: describeDbError(cause) }, 'database unavailable');
    reply.header('Retry-After', String(DATABASE_RETRY_AFTER_SECONDS));
  } else if (appErr.statusCode >= 500) request.log.error({ err: cause }, 'request failed');
  else request.log.info({ code: appErr.code }, 'request refused');
  if (appErr.code === 'LOGIN_THROTTLED' || appErr.code === 'RATE_LIMITED') {
    const retry = (appErr.details as { retryAfterSeconds?: number } | undefined)?.retryAfterSeconds;
    if (retry !== undefined) reply.header('Retry-After', String(retry));
  }
  return reply.status(appErr.statusCode).send(errorBody(appErr));
}

/** Fastify's `frameworkErrors` option: a URL that cannot be decoded, or a parameter longer than
 * maxParamLength, is answered before any route, hook or error handler runs; without this Fastify
 * writes a body of its own, without our shape or the security headers. */
export function frameworkErrors(err: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  setSecurityHeaders(request, reply);
  const appErr =
    err.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? new AppError('ROUTE_NOT_FOUND', '请求的地址不存在')
      : new AppError('BAD_REQUEST', '请求地址不合法');
  void sendError(appErr, err, request, reply);
}

async function errorHandler(app: FastifyInstance): Promise<void> {
  app.setErrorHandler((err: FastifyError, request, reply) => sendError(toAppError(err), err, request, reply));
}

export default fp(errorHandler, { name: 'error-handler', fastify: '5.x' });
