// The console's typed client of the JSON API. Every error reply of the server has one shape
// ({ statusCode, code, error, message, details? }); it becomes a thrown ApiError here.
import type { Static } from 'typebox';
import type { ChangePasswordBody, UserSchema } from '../../../server/modules/auth/auth.schemas.ts';
import type { CreateOfficialBody, OfficialSchema } from '../../../server/modules/officials/officials.schemas.ts';
import type {
  ChildrenReply as ChildrenReplySchema,
  ImportReply,
  RegionsReply as RegionsReplySchema,
  RegionSummarySchema,
} from '../../../server/modules/regions/regions.schemas.ts';
import type {
  CertifyBody,
  CreateSessionBody,
  EventSchema,
  KindSchema,
  PatchSessionBody,
  QuestionnaireSchema,
  RuleSetSchema,
  SessionListItemSchema,
  SessionListReply,
  SessionViewSchema,
  StatusSchema,
} from '../../../server/modules/sessions/sessions.schemas.ts';
import type { BatchSchema, IssueReply } from '../../../server/modules/slips/slips.schemas.ts';
import type { TallyReply } from '../../../server/modules/tallies/tallies.schemas.ts';

export type User = Static<typeof UserSchema>;
export type Role = User['role'];
/** An account as the wire carries it (dates are ISO strings). */
export type Official = Omit<Static<typeof OfficialSchema>, 'createdAt'> & { createdAt: string };
export type NewOfficial = Static<typeof CreateOfficialBody>;
export type PasswordChange = Static<typeof ChangePasswordBody>;

export type RegionSummary = Static<typeof RegionSummarySchema>;
export type Level = RegionSummary['level'];
export type RegionsReply = Static<typeof RegionsReplySchema>;
export type ChildrenReply = Static<typeof ChildrenReplySchema>;
export type ImportResult = Static<typeof ImportReply>;

export type SessionView = Static<typeof SessionViewSchema>;
/** A row of the sessions list (list fields only) and one page of them. */
export type SessionListItem = Static<typeof SessionListItemSchema>;
export type SessionListPage = Static<typeof SessionListReply>;
export interface SessionListQuery {
  villageId?: number;
  status?: SessionStatus;
  limit?: number;
  /** nextCursor of the previous page */
  cursor?: string;
}
export type SessionKind = Static<typeof KindSchema>;
export type SessionStatus = Static<typeof StatusSchema>;
export type Questionnaire = Static<typeof QuestionnaireSchema>;
export type Question = Questionnaire['questions'][number];
export type RuleSet = Static<typeof RuleSetSchema>;
export type NewSession = Static<typeof CreateSessionBody>;
export type SessionPatch = Static<typeof PatchSessionBody>;
export type Certification = Static<typeof CertifyBody>;
export type SessionEvent = Static<typeof EventSchema>;
/** A batch of slips as the wire carries it (dates are ISO strings). */
export type Batch = Omit<Static<typeof BatchSchema>, 'createdAt'> & { createdAt: string };
/** The only reply that ever holds the plain slip tokens. */
export interface IssuedBatch {
  batch: { id: number; count: number; createdAt: string };
  slips: Static<typeof IssueReply>['slips'];
}
export type Tally = Static<typeof TallyReply>;
export type Results = NonNullable<Tally['results']>;
export type Verdict = NonNullable<Tally['verdict']>;
export interface PaperBallot {
  token: string;
  answers: Record<string, string>;
  /** the same id on a retry after a lost reply gives the same receipt instead of 已使用 */
  clientId: string;
}

export interface FieldError {
  field: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** Validation details as field → message (the first message of each field). */
  fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    if (!Array.isArray(this.details)) return out;
    for (const d of this.details as Partial<FieldError>[]) {
      if (typeof d?.field === 'string' && typeof d.message === 'string') out[d.field] ??= d.message;
    }
    return out;
  }
}

/** Turns any reply that is not 2xx into an ApiError, in Chinese even when the body is not ours. */
export function toApiError(status: number, body: unknown): ApiError {
  const b = (body ?? {}) as { code?: unknown; message?: unknown; details?: unknown };
  if (typeof b.code === 'string' && typeof b.message === 'string') {
    return new ApiError(status, b.code, b.message, b.details);
  }
  if (status === 413) return new ApiError(status, 'PAYLOAD_TOO_LARGE', '文件过大');
  if (status >= 500) return new ApiError(status, 'INTERNAL', '服务器暂时无法处理，请稍后再试');
  return new ApiError(status, 'HTTP_ERROR', `请求失败（${status}）`);
}

export const networkError = (): ApiError => new ApiError(0, 'NETWORK', '网络连接失败，请检查网络后重试');

/** The message to show for anything a call may throw. */
export function messageOf(err: unknown): string {
  return err instanceof ApiError ? err.message : '操作失败，请稍后再试';
}

let onUnauthenticated: (() => void) | undefined;

/** Called when the server says the session is gone (expired, ended elsewhere, account disabled). */
export function setUnauthenticatedHandler(fn: () => void): void {
  onUnauthenticated = fn;
}

export function reportStatus(err: ApiError): void {
  if (err.status === 401 && err.code === 'UNAUTHENTICATED') onUnauthenticated?.();
}

export async function request<T>(method: 'GET' | 'POST' | 'PATCH' | 'PUT', path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? { Accept: 'application/json' } : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw networkError();
  }
  const data: unknown = await res.json().catch(() => undefined);
  if (!res.ok) {
    const err = toApiError(res.status, data);
    reportStatus(err);
    throw err;
  }
  return data as T;
}

const post = <T>(path: string, body?: unknown) => request<T>('POST', path, body);
const get = <T>(path: string) => request<T>('GET', path);

export const api = {
  me: () => get<{ user: User }>('/api/auth/me'),
  /** who is logged in, null when nobody is (a 200 either way: no failed request before the login) */
  whoami: () => get<{ user: User | null }>('/api/auth/session'),
  login: (username: string, password: string) => post<{ user: User }>('/api/auth/login', { username, password }),
  logout: () => post<{ ok: true }>('/api/auth/logout'),
  changePassword: (body: PasswordChange) => post<{ ok: true }>('/api/auth/password', body),

  regions: () => get<RegionsReply>('/api/regions'),
  children: (id: number) => get<ChildrenReply>(`/api/regions/${id}/children`),

  officials: () => get<{ officials: Official[] }>('/api/officials'),
  createOfficial: (body: NewOfficial) => post<{ official: Official; password: string }>('/api/officials', body),
  setDisabled: (id: number, disabled: boolean) =>
    post<{ official: Official }>(`/api/officials/${id}/${disabled ? 'disable' : 'enable'}`),
  resetPassword: (id: number) => post<{ password: string }>(`/api/officials/${id}/reset-password`),

  sessions: (filter: SessionListQuery = {}) => {
    const q = new URLSearchParams();
    if (filter.villageId) q.set('villageId', String(filter.villageId));
    if (filter.status) q.set('status', filter.status);
    if (filter.limit) q.set('limit', String(filter.limit));
    if (filter.cursor) q.set('cursor', filter.cursor);
    const query = q.toString();
    return get<SessionListPage>(`/api/sessions${query ? `?${query}` : ''}`);
  },
  session: (id: number) => get<SessionView>(`/api/sessions/${id}`),
  createSession: (body: NewSession) => post<SessionView>('/api/sessions', body),
  updateSession: (id: number, patch: SessionPatch) => request<SessionView>('PATCH', `/api/sessions/${id}`, patch),
  confirmResidents: (id: number, residentsPresent: number) =>
    post<SessionView>(`/api/sessions/${id}/confirm-residents`, { residentsPresent }),
  openSession: (id: number) => post<SessionView>(`/api/sessions/${id}/open`),
  closeSession: (id: number) => post<SessionView>(`/api/sessions/${id}/close`),
  certifySession: (id: number, body: Certification) => post<SessionView>(`/api/sessions/${id}/certify`, body),
  voidSession: (id: number, reason: string) => post<SessionView>(`/api/sessions/${id}/void`, { reason }),
  events: (id: number) => get<{ events: SessionEvent[] }>(`/api/sessions/${id}/events`),
  issueSlips: (id: number, count: number) => post<IssuedBatch>(`/api/sessions/${id}/slips`, { count }),
  batches: (id: number) => get<{ batches: Batch[] }>(`/api/sessions/${id}/batches`),
  voidBatch: (id: number, batchId: number) => post<{ batch: Batch }>(`/api/sessions/${id}/batches/${batchId}/void`),
  tally: (id: number) => get<Tally>(`/api/sessions/${id}/tally`),
  paperBallot: (id: number, body: PaperBallot) => post<{ receipt: string }>(`/api/sessions/${id}/paper-ballots`, body),
};
