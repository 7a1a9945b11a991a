// fetch with a timeout, for phones on a weak network. A request that fails at the network level
// becomes { status: 0, failure } instead of throwing, so callers decide whether to retry.

export type Failure = 'timeout' | 'offline' | 'network';

export interface Reply {
  /** 0 when no HTTP reply arrived */
  status: number;
  failure?: Failure;
  /** error replies carry { code, message } */
  body: Record<string, unknown> | null;
  retryAfterSeconds: number | null;
}

export const TIMEOUT_MS = 10000;

function offline(): boolean {
  return typeof navigator !== 'undefined' && navigator.onLine === false;
}

export async function request(
  method: 'GET' | 'POST',
  url: string,
  payload?: unknown,
  timeoutMs = TIMEOUT_MS,
): Promise<Reply> {
  // AbortController is missing on some old WebViews: the timer then only stops waiting.
  const controller = typeof AbortController === 'function' ? new AbortController() : undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => {
      controller?.abort();
      resolve('timeout');
    }, timeoutMs);
  });
  const init: RequestInit = { method, credentials: 'same-origin', cache: 'no-store', signal: controller?.signal };
  if (payload !== undefined) {
    init.headers = { 'Content-Type': 'application/json' };
    init.body = JSON.stringify(payload);
  }
  try {
    const res = await Promise.race([fetch(url, init), timeout]);
    if (res === 'timeout') return failed('timeout');
    const body = await Promise.race([res.json().catch(() => null), timeout]);
    if (body === 'timeout') return failed('timeout');
    const retry = Number(res.headers.get('Retry-After'));
    return {
      status: res.status,
      body: body && typeof body === 'object' ? (body as Record<string, unknown>) : null,
      retryAfterSeconds: Number.isFinite(retry) && retry > 0 ? retry : null,
    };
  } catch {
    return failed(offline() ? 'offline' : 'network');
  } finally {
    clearTimeout(timer);
  }
}

function failed(failure: Failure): Reply {
  return {
    status: 0,
    failure: failure === 'timeout' || !offline() ? failure : 'offline',
    body: null,
    retryAfterSeconds: null,
  };
}

export function codeOf(reply: Reply): string {
  const code = reply.body?.code;
  return typeof code === 'string' ? code : '';
}

export function messageOf(reply: Reply, fallback: string): string {
  const message = reply.body?.message;
  return typeof message === 'string' && message !== '' ? message : fallback;
}

export function wait(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
