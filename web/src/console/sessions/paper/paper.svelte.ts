// Paper entry: one slip at a time. The form keeps the typed (or scanned) code and the marks; after
// a slip is stored it resets for the next one and the count goes up. The client id stays the same
// while one slip is retried, so a lost reply is answered with the same receipt, not 已使用.
import { displayReceipt } from '../../../ballot/token.ts';
import { api, ApiError, messageOf, request, type Questionnaire, type Tally } from '../../../lib/api.ts';
import { newClientId, tokenOf } from './code.ts';

/** The mark entered for an item the form leaves blank or marks twice: stored as a blank item. */
export const INVALID_MARK = '__invalid__';

export interface Outcome {
  kind: 'ok' | 'error';
  text: string;
}

const HINT: Record<string, string> = {
  SLIP_ALREADY_USED: '它已在线上投票或已被录入过，请放入已录入的一叠',
  SLIP_NOT_FOUND: '已作废批次的票也无法录入',
};

/**
 * What the server says of a complete code before it is entered. A mistyped code is usually still
 * 16 characters of the alphabet (there is no check digit), so only the lookup can earn it a ✓.
 */
export type Lookup =
  { kind: 'none' | 'checking' | 'ok' | 'unknown' | 'used' | 'elsewhere' } | { kind: 'failed'; text: string };

export class PaperForm {
  #code = $state('');
  lookup = $state.raw<Lookup>({ kind: 'none' });
  answers = $state<Record<string, string>>({});
  /** slips stored from this page since it was opened */
  entered = $state(0);
  outcome = $state.raw<Outcome | null>(null);
  busy = $state(false);
  private clientId = newClientId();

  constructor(
    readonly sessionId: number,
    readonly publicId: string,
    readonly questionnaire: Questionnaire,
  ) {}

  get code(): string {
    return this.#code;
  }

  /** A new code is a new slip: the refusal of the previous one no longer applies. */
  set code(value: string) {
    if (value === this.#code) return;
    this.#code = value;
    if (this.outcome?.kind === 'error') this.outcome = null;
    void this.check(tokenOf(value));
  }

  /** Looks a complete code up the way the slip's own page does (consumes nothing). */
  private async check(token: string | null): Promise<void> {
    if (!token) {
      this.lookup = { kind: 'none' };
      return;
    }
    this.lookup = { kind: 'checking' };
    let found: Lookup;
    try {
      const reply = await request<{ session: { publicId: string } }>('POST', '/api/ballot/questionnaire', { token });
      found = { kind: reply.session.publicId === this.publicId ? 'ok' : 'elsewhere' };
    } catch (err) {
      const code = err instanceof ApiError ? err.code : '';
      if (code === 'SLIP_NOT_FOUND') found = { kind: 'unknown' };
      else if (code === 'SLIP_ALREADY_USED') found = { kind: 'used' };
      else found = { kind: 'failed', text: messageOf(err) };
    }
    // only the reply for the code still in the box counts
    if (tokenOf(this.#code) === token) this.lookup = found;
  }

  /** The first required question left unanswered, as 第 N 题, or null. */
  missing(): string | null {
    const i = this.questionnaire.questions.findIndex((q) => q.required && !this.answers[q.id]?.trim());
    return i >= 0 ? `第 ${i + 1} 题` : null;
  }

  async submit(): Promise<Tally | null> {
    if (this.busy) return null;
    const token = tokenOf(this.code);
    if (!token) {
      this.outcome = { kind: 'error', text: '测评码应为 16 位（字母和数字，不含 0、1、I、O），请核对后重新输入。' };
      return null;
    }
    const missing = this.missing();
    if (missing) {
      this.outcome = {
        kind: 'error',
        text: `${missing}还没有录入。请按纸质票逐题录入；票上这题没有勾选或勾了多项的，选「无效」。`,
      };
      return null;
    }
    this.busy = true;
    this.outcome = null;
    try {
      const answers = Object.fromEntries(
        Object.entries(this.answers).filter(([, v]) => v.trim() !== '' && v !== INVALID_MARK),
      );
      const { receipt } = await api.paperBallot(this.sessionId, { token, answers, clientId: this.clientId });
      this.entered += 1;
      this.outcome = {
        kind: 'ok',
        text: `已录入第 ${this.entered} 张（回执 ${displayReceipt(receipt)}）。请录入下一张。`,
      };
      this.reset();
      return await api.tally(this.sessionId).catch(() => null);
    } catch (err) {
      const hint = err instanceof ApiError ? (HINT[err.code] ?? '') : '';
      // the ✓ beside the code must not outlive the server refusing it
      if (err instanceof ApiError && err.code === 'SLIP_NOT_FOUND') this.lookup = { kind: 'unknown' };
      if (err instanceof ApiError && err.code === 'SLIP_ALREADY_USED') this.lookup = { kind: 'used' };
      this.outcome = { kind: 'error', text: `${messageOf(err)}${hint ? `。${hint}` : ''}` };
      // a refusal is final for this attempt; a network failure keeps the id so a retry is the same entry
      if (err instanceof ApiError && err.status >= 400 && err.status < 500) this.clientId = newClientId();
      return null;
    } finally {
      this.busy = false;
    }
  }

  reset(): void {
    this.code = '';
    this.answers = {};
    this.clientId = newClientId();
  }
}
