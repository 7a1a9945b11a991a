import { describe, expect, it } from 'vitest';
import {
  checkAnswers,
  describeProblem,
  displayCode,
  isClientId,
  isReceipt,
  normalizeToken,
  TOKEN_ALPHABET,
} from '../../server/modules/ballots/ballots.rules.ts';
import { defaultQuestionnaire } from '../../server/modules/sessions/questionnaire.ts';

const TOKEN = 'ABCD2345EFGH6789';

describe('normalizeToken', () => {
  it.each([
    [TOKEN, TOKEN],
    ['abcd2345efgh6789', TOKEN],
    ['ABCD-2345-EFGH-6789', TOKEN],
    [' abcd 2345 efgh 6789 ', TOKEN],
    ['ＡＢＣＤ－２３４５－ＥＦＧＨ－６７８９', TOKEN],
    ['ABCD—2345–EFGH_6789', TOKEN],
  ])('reads %j as the token', (input, expected) => {
    expect(normalizeToken(input)).toBe(expected);
  });

  it.each([
    ['', 'empty'],
    ['ABCD2345EFGH678', 'one character short'],
    ['ABCD2345EFGH67899', 'one character long'],
    ['ABCD2345EFGH678O', 'the letter O, which is not 0'],
    ['ABCD2345EFGH6781', 'the digit 1'],
    ['ABCD2345EFGH678I', 'the letter I'],
    ['ABCD2345EFGH6780', 'the digit 0'],
    ['ABCD2345EFGH678😀', 'an emoji'],
  ])('rejects %j (%s)', (input) => {
    expect(normalizeToken(input)).toBeNull();
  });

  it('accepts every character of the alphabet and nothing else', () => {
    for (let c = 0x20; c < 0x7f; c++) {
      const ch = String.fromCharCode(c);
      if (/[\s\-_.]/.test(ch)) continue;
      const ok = TOKEN_ALPHABET.includes(ch.toUpperCase());
      expect(normalizeToken(`${ch}BCD2345EFGH6789`) !== null, ch).toBe(ok);
    }
  });

  it('reads back the printed code', () => {
    expect(displayCode(TOKEN)).toBe('ABCD-2345-EFGH-6789');
    expect(normalizeToken(displayCode(TOKEN))).toBe(TOKEN);
  });
});

describe('receipt and client id formats', () => {
  it('accepts 10 receipt characters without I and O, and client ids of 8–64 safe characters', () => {
    expect(isReceipt('0123456789')).toBe(true);
    expect(isReceipt('ABCDEFGHJK')).toBe(true);
    expect(isReceipt('ABCDEFGHIJ')).toBe(false);
    expect(isReceipt('ABCDEFGHJ')).toBe(false);
    expect(isClientId(crypto.randomUUID())).toBe(true);
    expect(isClientId('short')).toBe(false);
    expect(isClientId('a'.repeat(65))).toBe(false);
    expect(isClientId('has space1')).toBe(false);
  });
});

describe('checkAnswers against the default questionnaire', () => {
  const q = defaultQuestionnaire();
  const full = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`q${i + 1}`, 'satisfied']));

  it('keeps answered questions, trims the comment and drops empty optional ones', () => {
    expect(checkAnswers(q, { ...full, q11: '  好  ', q12: '' })).toEqual({ ok: true, answers: { ...full, q11: '好' } });
    expect(checkAnswers(q, { ...full, q11: '   ' })).toEqual({ ok: true, answers: full });
  });

  it('names the first unanswered required question', () => {
    const { q4: _q4, q7: _q7, ...rest } = full;
    const r = checkAnswers(q, rest);
    expect(r).toEqual({ ok: false, problem: { questionId: 'q4', number: 4, message: '请选择一项' } });
    if (!r.ok) expect(describeProblem(r.problem)).toBe('第 4 题：请选择一项');
  });

  it('lets a paper form leave required items blank, and nothing else', () => {
    const { q1: _q1, q4: _q4, ...rest } = full;
    expect(checkAnswers(q, rest, { blankAllowed: true })).toEqual({ ok: true, answers: rest });
    expect(checkAnswers(q, {}, { blankAllowed: true })).toEqual({ ok: true, answers: {} });
    expect(checkAnswers(q, { ...rest, q1: 'nope' }, { blankAllowed: true })).toMatchObject({
      ok: false,
      problem: { questionId: 'q1', message: '所选选项不存在' },
    });
    expect(checkAnswers(q, rest)).toMatchObject({ ok: false, problem: { questionId: 'q1' } });
  });

  it('refuses an option of another question and an unknown question', () => {
    expect(checkAnswers(q, { ...full, q1: 'party_member' })).toMatchObject({
      ok: false,
      problem: { questionId: 'q1' },
    });
    expect(checkAnswers(q, { ...full, q12: 'satisfied' })).toMatchObject({ ok: false, problem: { questionId: 'q12' } });
    expect(checkAnswers(q, { ...full, toString: 'x' })).toMatchObject({ ok: false, problem: { number: 0 } });
  });

  it('counts the comment limit in characters: 300 CJK characters pass, 301 do not', () => {
    expect(checkAnswers(q, { ...full, q11: '字'.repeat(300) }).ok).toBe(true);
    expect(checkAnswers(q, { ...full, q11: '😀'.repeat(300) }).ok).toBe(true);
    expect(checkAnswers(q, { ...full, q11: '字'.repeat(301) })).toMatchObject({
      ok: false,
      problem: { questionId: 'q11', message: '不能超过 300 字' },
    });
  });
});
