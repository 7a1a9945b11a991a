import { describe, expect, it } from 'vitest';
import { tallyAnswers } from '../../server/modules/audit/recount.rules.ts';

const byKey = <T extends object>(rows: T[]): T[] =>
  [...rows].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));

describe('the recount of parsed answers (the rows countAnswerValues and crossTab return)', () => {
  const ballots = [
    { q1: 'satisfied', q11: '修路', q12: 'other' },
    { q1: 'satisfied', q12: 'other' },
    { q1: 'basic', q12: 'party_member' },
    { q12: 'other' }, // answered the identity question but not the gate
    { q1: 'basic', q99: 'x' }, // no identity answer: not in the cross-tab; an unknown key is still a pair
  ];

  it('counts every (question, value) pair and the cross-tab of the ballots that answered `by`', () => {
    const t = tallyAnswers(ballots, { by: 'q12', of: 'q1' });
    expect(byKey(t?.values ?? [])).toEqual(
      byKey([
        { question: 'q1', value: 'satisfied', n: 2 },
        { question: 'q1', value: 'basic', n: 2 },
        { question: 'q11', value: '修路', n: 1 },
        { question: 'q12', value: 'other', n: 3 },
        { question: 'q12', value: 'party_member', n: 1 },
        { question: 'q99', value: 'x', n: 1 },
      ]),
    );
    expect(byKey(t?.cross ?? [])).toEqual(
      byKey([
        { by: 'other', of: 'satisfied', n: 2 },
        { by: 'other', of: null, n: 1 },
        { by: 'party_member', of: 'basic', n: 1 },
      ]),
    );
  });

  it('has no cross-tab without a pair, and nothing for no ballots', () => {
    expect(tallyAnswers(ballots, null)?.cross).toEqual([]);
    expect(tallyAnswers([], { by: 'q12', of: 'q1' })).toEqual({ values: [], cross: [] });
  });

  it('gives up on a ballot holding anything but strings (SQL reads such values as text its own way)', () => {
    for (const odd of [{ q1: 1 }, { q1: null }, { q1: { a: 'b' } }, { q1: ['a'] }, { q1: true }, ['a'], 'a', null]) {
      expect(tallyAnswers([...ballots, odd], { by: 'q12', of: 'q1' })).toBeNull();
    }
  });
});
