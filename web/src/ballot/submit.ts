// Submitting one ballot over a weak network: every attempt carries the same clientId, so the
// server counts it once and answers a retry of an already-stored ballot with the same receipt.
import { request, wait, type Reply } from './http.ts';
import type { Answers } from './storage.ts';

export interface Submission {
  token: string;
  clientId: string;
  answers: Answers;
}

export type SubmitOutcome =
  | { kind: 'receipt'; receipt: string }
  /** a definite refusal (used, not open, unknown, invalid): retrying cannot help */
  | { kind: 'rejected'; reply: Reply }
  /** still unknown after every attempt: the submission stays saved on the phone */
  | { kind: 'stalled'; reply: Reply };

export interface Progress {
  attempt: number;
  note: string;
}

const BACKOFF_MS = [1000, 2000, 4000, 8000, 15000];
const MAX_WAIT_MS = 30000;

function transient(reply: Reply): boolean {
  return reply.status === 0 || reply.status === 429 || reply.status >= 500;
}

function noteOf(reply: Reply): string {
  if (reply.failure === 'offline') return '手机没有联网，正在等待网络并重试…';
  if (reply.status === 429) return '提交的人较多，请稍候，正在重试…';
  if (reply.status >= 500) return '服务器繁忙，正在重试…';
  return '网络不好，正在重试…';
}

/** Waits grow 1, 2, 4, 8, 15 s with jitter, so a hall full of phones does not retry in step. */
function delayOf(attempt: number, reply: Reply): number {
  const base = BACKOFF_MS[Math.min(attempt, BACKOFF_MS.length - 1)] as number;
  const jittered = base * (0.8 + Math.random() * 0.4);
  const asked = reply.retryAfterSeconds ? reply.retryAfterSeconds * 1000 : 0;
  return Math.min(Math.max(jittered, asked), MAX_WAIT_MS);
}

export async function submitWithRetry(
  submission: Submission,
  onProgress: (p: Progress) => void,
  attempts = BACKOFF_MS.length + 1,
): Promise<SubmitOutcome> {
  let reply: Reply = { status: 0, failure: 'network', body: null, retryAfterSeconds: null };
  for (let attempt = 0; attempt < attempts; attempt++) {
    if (attempt > 0) {
      onProgress({ attempt, note: noteOf(reply) });
      await wait(delayOf(attempt - 1, reply));
    }
    reply = await request('POST', '/api/ballots', submission);
    const receipt = reply.body?.receipt;
    if ((reply.status === 200 || reply.status === 201) && typeof receipt === 'string') {
      return { kind: 'receipt', receipt };
    }
    if (!transient(reply) && reply.status !== 200 && reply.status !== 201) return { kind: 'rejected', reply };
  }
  return { kind: 'stalled', reply };
}
