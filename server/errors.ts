// One error type for the whole service. A code maps to exactly one HTTP status in the table below;
// the message is what the reader sees (Chinese wherever a villager or an official reads it).

const STATUS = {
  VALIDATION_FAILED: 400,
  BAD_REQUEST: 400,
  INVALID_JSON: 400,
  INVALID_FILE: 400,
  IMPORT_REJECTED: 422,
  UNAUTHENTICATED: 401,
  INVALID_CREDENTIALS: 401,
  FORBIDDEN: 403,
  CROSS_SITE_REQUEST: 403,
  NOT_FOUND: 404,
  ROUTE_NOT_FOUND: 404,
  SLIP_NOT_FOUND: 404,
  CONFLICT: 409,
  USERNAME_TAKEN: 409,
  REGION_EXISTS: 409,
  INVALID_STATE: 409,
  SLIP_ALREADY_USED: 409,
  SESSION_NOT_OPEN: 409,
  SESSION_NOT_CLOSED: 409,
  TOO_MANY_SLIPS: 409,
  RESIDENTS_NOT_CONFIRMED: 409,
  RESIDENTS_MISMATCH: 409,
  INVALID_TRANSITION: 409,
  CASE_EXISTS: 409,
  CAMPAIGN_EXISTS: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  LOGIN_THROTTLED: 429,
  ACCOUNT_LOCKED: 429,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  DATABASE_UNAVAILABLE: 503,
} as const;

export type ErrorCode = keyof typeof STATUS;

export interface FieldError {
  field: string;
  message: string;
}

export class AppError extends Error {
  readonly statusCode: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: FieldError[] | Record<string, unknown>,
  ) {
    super(message);
    this.name = 'AppError';
    this.statusCode = STATUS[code];
  }
}

export function statusOf(code: ErrorCode): number {
  return STATUS[code];
}

/** The one body shape of every error reply. */
export interface ErrorBody {
  statusCode: number;
  code: string;
  error: string;
  message: string;
  details?: unknown;
}

const REASON: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export function errorBody(err: AppError): ErrorBody {
  const body: ErrorBody = {
    statusCode: err.statusCode,
    code: err.code,
    error: REASON[err.statusCode] ?? 'Error',
    message: err.message,
  };
  if (err.details !== undefined) body.details = err.details;
  return body;
}

/** The answer for anything that does not exist or lies outside the caller's region: one body for both. */
export const notFound = (): AppError => new AppError('NOT_FOUND', '未找到该对象，或您无权访问');
export const forbidden = (): AppError => new AppError('FORBIDDEN', '您的角色无权执行此操作');
/** The database cannot be reached now (restart, failover, lost connection): 503 with Retry-After. */
export const databaseUnavailable = (): AppError => new AppError('DATABASE_UNAVAILABLE', '数据库暂时不可用');
