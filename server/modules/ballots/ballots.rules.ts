// Pure rules of the ballot path: what a typed or scanned code may look like, and whether a set of
// answers fits the session's frozen questionnaire. No I/O here.
import type { Question, Questionnaire } from '../sessions/questionnaire.ts';

/** The slip token alphabet: no 0/O or 1/I, so a typed code is not misread. 32 symbols × 16 = 80 bits. */
export const TOKEN_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
export const TOKEN_LENGTH = 16;

/** Receipts: 10 characters, matching the receipt table's check ^[0-9A-Z]{8,16}$. */
export const RECEIPT_ALPHABET = '0123456789ABCDEFGHJKLMNPQRSTUVWXYZ';
export const RECEIPT_LENGTH = 10;

/** A client id is chosen by the ballot page (e.g. crypto.randomUUID()) and only enables retries. */
export const CLIENT_ID_PATTERN = '^[A-Za-z0-9_-]{8,64}$';

const TOKEN_RE = new RegExp(`^[${TOKEN_ALPHABET}]{${TOKEN_LENGTH}}$`);
const RECEIPT_RE = new RegExp(`^[${RECEIPT_ALPHABET}]{${RECEIPT_LENGTH}}$`);
const CLIENT_ID_RE = new RegExp(CLIENT_ID_PATTERN);
// Spaces, dashes and their full-width or typographic cousins that phones insert when typing.
const SEPARATORS = /[\s\-‐‑‒–—―－_·.]/g;

/**
 * The token as stored (hashed), or null when the input cannot be a token. Typed codes are
 * accepted in any case and with group separators; characters outside the alphabet are never
 * "corrected" (O is not 0): such input is simply unknown.
 */
export function normalizeToken(input: string): string | null {
  const token = input.normalize('NFKC').replace(SEPARATORS, '').toUpperCase();
  return TOKEN_RE.test(token) ? token : null;
}

/** The printed form: groups of four, e.g. ABCD-EFGH-JKMN-PQRS. */
export function displayCode(token: string): string {
  return token.match(/.{1,4}/g)?.join('-') ?? token;
}

export function isReceipt(value: string): boolean {
  return RECEIPT_RE.test(value);
}

export function isClientId(value: string): boolean {
  return CLIENT_ID_RE.test(value);
}

export type Answers = Record<string, string>;

export interface AnswerProblem {
  /** the question concerned (or the unknown key) */
  questionId: string;
  /** 1-based position in the questionnaire, 0 for a key that is no question */
  number: number;
  message: string;
}

export type AnswerCheck = { ok: true; answers: Answers } | { ok: false; problem: AnswerProblem };

const DEFAULT_TEXT_MAX = 300;

function codePoints(s: string): number {
  return [...s].length;
}

export interface CheckOptions {
  /**
   * Paper forms: a required item may be blank. A counter enters what the form shows, and a form
   * with no mark, or several, on an item is counted with that item blank (未作答或无效): the ballot
   * still counts, and a blank gate item is not satisfied. Online, the page asks until answered.
   */
  blankAllowed?: boolean;
}

function checkOne(
  q: Question,
  number: number,
  raw: string | undefined,
  opts: CheckOptions,
): AnswerProblem | string | null {
  const value = q.type === 'text' ? (raw ?? '').trim() : (raw ?? '');
  if (value === '') {
    if (!q.required || opts.blankAllowed) return null;
    return { questionId: q.id, number, message: q.type === 'text' ? '请填写此题' : '请选择一项' };
  }
  if (q.type === 'choice') {
    if (!q.options.some((o) => o.id === value)) return { questionId: q.id, number, message: '所选选项不存在' };
    return value;
  }
  const max = q.maxLength ?? DEFAULT_TEXT_MAX;
  if (codePoints(value) > max) return { questionId: q.id, number, message: `不能超过 ${max} 字` };
  return value;
}

/**
 * Checks answers against the questionnaire and returns them normalized: only answered questions,
 * text trimmed. The first problem names the question by number and id.
 */
export function checkAnswers(questionnaire: Questionnaire, answers: Answers, opts: CheckOptions = {}): AnswerCheck {
  const known = new Set(questionnaire.questions.map((q) => q.id));
  for (const key of Object.keys(answers)) {
    if (!known.has(key)) return { ok: false, problem: { questionId: key, number: 0, message: '问卷中没有这道题' } };
  }
  const normalized: Answers = {};
  for (const [i, q] of questionnaire.questions.entries()) {
    const result = checkOne(q, i + 1, Object.hasOwn(answers, q.id) ? answers[q.id] : undefined, opts);
    if (result === null) continue;
    if (typeof result !== 'string') return { ok: false, problem: result };
    normalized[q.id] = result;
  }
  return { ok: true, answers: normalized };
}

/** The Chinese sentence for a problem, e.g. 第 3 题：请选择一项. */
export function describeProblem(p: AnswerProblem): string {
  return p.number === 0 ? `答案中的 ${p.questionId}：${p.message}` : `第 ${p.number} 题：${p.message}`;
}
