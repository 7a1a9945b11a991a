// Small pure helpers of the rule and questionnaire editors: the minimum rate as typed, fresh ids, a
// question of either type, and the server's field paths (questionnaire.questions.3.text) said as 第 4 题.
import type { ApiError, Question } from '../../../lib/api.ts';
import { defaultQuestionnaire } from '../rules.ts';

const SCALE = defaultQuestionnaire().questions[0]?.options ?? [];

/** A minimum satisfaction rate as typed: a whole percentage from 1 to 100, else null. */
export function ratePercent(text: string): number | null {
  const n = /^\d{1,3}$/.test(text.trim()) ? Number(text) : NaN;
  return n >= 1 && n <= 100 ? n : null;
}

function nextId(prefix: string, taken: string[]): string {
  let n = taken.length + 1;
  while (taken.includes(`${prefix}${n}`)) n++;
  return `${prefix}${n}`;
}

/** A new choice question with the satisfaction scale (满意 / 基本满意 / 不满意 / 不了解). */
export function newQuestion(existing: Question[]): Question {
  return {
    id: nextId(
      'q',
      existing.map((q) => q.id),
    ),
    text: '',
    type: 'choice',
    options: SCALE.map((o) => ({ ...o })),
    required: true,
  };
}

export function newOption(q: Question): { id: string; label: string } {
  return {
    id: nextId(
      'o',
      q.options.map((o) => o.id),
    ),
    label: '',
  };
}

/** The same question as the other type: a text question has no options, a choice one no length. */
export function withType(q: Question, type: 'choice' | 'text'): Question {
  if (type === 'text') return { id: q.id, text: q.text, type, options: [], required: false, maxLength: 300 };
  return { id: q.id, text: q.text, type, options: SCALE.map((o) => ({ ...o })), required: q.required };
}

/** The server's first problem in words a secretary reads: 第 4 题：题目文字须为 1–300 字. */
export function problemText(err: ApiError, fallback: string): string {
  const list = Array.isArray(err.details) ? (err.details as { field?: string; message?: string }[]) : [];
  const first = list[0];
  if (!first?.field || !first.message) return fallback;
  const m = /^questionnaire\.questions\.(\d+)(?:\.options\.(\d+))?/.exec(first.field);
  if (!m) return first.message;
  const where = `第 ${Number(m[1]) + 1} 题${m[2] !== undefined ? `第 ${Number(m[2]) + 1} 个选项` : ''}`;
  return `${where}：${first.message}`;
}
