// The close's count (countsFrom) takes answer values as stored. A hand-edited ballot can hold any key
// or value: only the questionnaire's own questions and options are counted, and nothing reaches
// Object.prototype (a `__proto__` question with the value `toString` once replaced it).
import { afterEach, expect, it } from 'vitest';
import { countsFrom } from '../../server/modules/ballots/ballots.close.ts';
import { defaultQuestionnaire } from '../../server/modules/sessions/questionnaire.ts';

const questions = defaultQuestionnaire().questions;
const choice = questions.find((q) => q.type === 'choice');
const original = Object.prototype.toString;

afterEach(() => {
  Object.prototype.toString = original;
});

it('counts only own questions and options, leaving Object.prototype alone', () => {
  if (!choice || choice.type !== 'choice') throw new Error('the default questionnaire has a choice question');
  const option = choice.options[0]?.id ?? '';
  const counts = countsFrom(
    questions,
    3,
    [
      { question: choice.id, value: option, n: 2 },
      { question: '__proto__', value: 'toString', n: 1 },
      { question: 'constructor', value: 'name', n: 1 },
      { question: choice.id, value: 'hasOwnProperty', n: 1 },
      { question: choice.id, value: '__proto__', n: 1 },
    ],
    [{ by: '__proto__', of: 'toString', n: 1 }],
  );
  expect(Object.prototype.toString).toBe(original);
  expect({}.toString()).toBe('[object Object]');
  expect(counts.perQuestion[choice.id]).toEqual(
    Object.fromEntries(choice.options.map((o) => [o.id, o.id === option ? 2 : 0])),
  );
  expect(Object.keys(counts.perQuestion)).toEqual(questions.filter((q) => q.type === 'choice').map((q) => q.id));
  for (const inner of Object.values(counts.identityGate)) expect(Object.values(inner).every((n) => n === 0)).toBe(true);
});
