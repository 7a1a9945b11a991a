import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../server/modules/audit/audit.rules.ts';
import { defaultQuestionnaire } from '../../server/modules/sessions/questionnaire.ts';
import {
  ballotDigest,
  ballotLines,
  buildResult,
  percentText,
  resultsView,
  shownGroups,
  type SessionResult,
} from '../../server/modules/tallies/results.rules.ts';
import { decide, defaultRuleSet } from '../../server/modules/tallies/tallies.rules.ts';

describe('percentages', () => {
  it('prints tenths of a percent rounded half up, computed with integers', () => {
    expect(percentText(1, 3)).toBe('33.3');
    expect(percentText(2, 3)).toBe('66.7');
    expect(percentText(1, 8)).toBe('12.5');
    expect(percentText(1, 16)).toBe('6.3'); // 6.25 rounds up
    expect(percentText(7, 7)).toBe('100.0');
    expect(percentText(0, 5)).toBe('0.0');
    expect(percentText(0, 0)).toBe('0.0');
  });

  it('agrees with exact rational rounding for every count of every total up to 400', () => {
    const wrong: string[] = [];
    for (let total = 1; total <= 400; total++) {
      for (let count = 0; count <= total; count++) {
        // t = 1000·count/total rounded half up ⇔ (2t − 1)·total ≤ 2000·count < (2t + 1)·total
        const t = Number(percentText(count, total).replace('.', ''));
        if (!(2000 * count >= (2 * t - 1) * total && 2000 * count < (2 * t + 1) * total))
          wrong.push(`${count}/${total}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});

describe('the identity breakdown', () => {
  const gate = (n: number) => ({ satisfied: n, basic: 0, dissatisfied: 0, unknown: 0 });

  it('shows only groups of at least 8 ballots', () => {
    expect(shownGroups({ party_member: gate(8), representative: gate(8), other: gate(0) }, 16)).toEqual([
      'party_member',
      'representative',
    ]);
    expect(shownGroups({ party_member: gate(7), representative: gate(9) }, 16)).toEqual([]);
  });

  it('hides a further group when the ballots left outside the shown groups are between 1 and 7', () => {
    // 3 representatives alone would be readable as total − party members − others
    expect(shownGroups({ party_member: gate(10), representative: gate(3), other: gate(9) }, 22)).toEqual([
      'party_member',
    ]);
    expect(shownGroups({ party_member: gate(10), representative: gate(3) }, 13)).toEqual([]);
    // 8 or more outside: nothing more to hide
    expect(shownGroups({ party_member: gate(10), representative: gate(3) }, 18)).toEqual(['party_member']);
  });

  it('shows the groups with labels, counts and percentages, and a note when any group is hidden (8 gave no identity or a hidden one)', () => {
    const questionnaire = defaultQuestionnaire();
    const rules = defaultRuleSet();
    const perQuestion: SessionResult['counts']['perQuestion'] = {};
    for (const q of questionnaire.questions) {
      if (q.type === 'choice') perQuestion[q.id] = Object.fromEntries(q.options.map((o) => [o.id, 0]));
    }
    perQuestion.q1 = { satisfied: 10, basic: 3, dissatisfied: 2, unknown: 1 };
    perQuestion.q12 = { party_member: 8, representative: 2, other: 0 }; // 6 gave no identity
    const counts = {
      ballots: 16,
      perQuestion,
      comments: ['好'],
      identityGate: {
        party_member: { satisfied: 5, basic: 2, dissatisfied: 1, unknown: 0 },
        representative: { satisfied: 1, basic: 0, dissatisfied: 0, unknown: 1 },
        other: { satisfied: 0, basic: 0, dissatisfied: 0, unknown: 0 },
      },
    };
    const tally = { residentsPresent: 20, issued: 16, used: 16, ballots: 16 };
    const result: SessionResult = {
      version: 1,
      sessionId: 1,
      closedAt: '2025-01-01T00:00:00.000Z',
      ...tally,
      online: 15,
      paper: 1,
      reconciled: true,
      questionnaire,
      rules,
      identityQuestionId: 'q12',
      counts,
      verdict: decide(rules, { ...tally, gateCounts: perQuestion.q1 }),
    };
    const view = resultsView(result);
    expect(view.identity).toEqual({
      questionId: 'q12',
      minGroup: 8,
      groups: [
        {
          id: 'party_member',
          label: '党员',
          ballots: 8,
          options: [
            { id: 'satisfied', label: '满意', count: 5, percent: '62.5' },
            { id: 'basic', label: '基本满意', count: 2, percent: '25.0' },
            { id: 'dissatisfied', label: '不满意', count: 1, percent: '12.5' },
            { id: 'unknown', label: '不了解', count: 0, percent: '0.0' },
          ],
        },
      ],
      note: '为保护无记名，少于 8 票的身份组（及可据以推算出它的组）不单独显示',
    });
    expect(view.questions[0]).toEqual({
      id: 'q1',
      text: questionnaire.questions[0]!.text,
      type: 'choice',
      options: [
        { id: 'satisfied', label: '满意', count: 10, percent: '62.5' },
        { id: 'basic', label: '基本满意', count: 3, percent: '18.8' },
        { id: 'dissatisfied', label: '不满意', count: 2, percent: '12.5' },
        { id: 'unknown', label: '不了解', count: 1, percent: '6.3' },
      ],
      answered: 16,
    });
    expect(view.questions[10]).toMatchObject({ id: 'q11', type: 'text', options: [], answered: 1 });
    expect(view.comments).toEqual(['好']);
  });
});

describe('the ballot digest', () => {
  const a = { q1: 'satisfied', q11: '修路' };
  const b = { q1: 'basic', q12: 'other' };

  it('depends on the ballots as a multiset: not on their order or on the order of their keys', () => {
    const digest = ballotDigest([a, b, a]);
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    expect(ballotDigest([b, a, a])).toBe(digest);
    expect(ballotDigest([{ q11: '修路', q1: 'satisfied' }, a, b])).toBe(digest);
  });

  it('changes with a changed answer, an added key, an extra or a missing ballot', () => {
    const digest = ballotDigest([a, b, a]);
    const others = [
      ballotDigest([a, b, { ...a, q1: 'basic' }]),
      ballotDigest([a, b, { ...a, q11: '修路。' }]),
      ballotDigest([a, b, { ...a, q99: 'x' }]),
      ballotDigest([a, b, a, a]),
      ballotDigest([a, b]),
      ballotDigest([a, { ...b }, b]),
    ];
    expect(new Set([digest, ...others]).size).toBe(others.length + 1);
  });

  it('has a fixed value for no ballots (SHA-256 of nothing)', () => {
    expect(ballotDigest([])).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });
});

describe('the ballot lines (canonicalJson of each ballot, written directly for the usual answers)', () => {
  // answers as the database hands them over: parsed JSON, keys in jsonb's order (shorter first)
  const parsed = (texts: string[]): unknown[] => texts.map((t) => JSON.parse(t) as unknown);
  const same = (answers: unknown[]) => expect(ballotLines(answers)).toEqual(answers.map(canonicalJson));

  it('match canonicalJson for keys of different lengths, unicode keys and values that need escaping', () => {
    same(parsed(['{"q1": "a", "q2": "b", "q10": "c", "q12": "d"}', '{"q2": "x", "q11": "修路", "q99": "多"}']));
    // UTF-16 order: a surrogate pair (😀 is d83d de00) sorts before U+E000, unlike code point order
    same(parsed(['{"": "", "é": "1", "中": "2", "😀": "3", "\ue000": "4", "\uffff": "5", "Z": "6", "a": "7"}']));
    same(parsed([JSON.stringify({ q1: '"引号" \\ / \n \t \u0001 \u007f \u2028 \ud800 😀', toJSON: 'x' })]));
    same([{ q1: 'a', q2: undefined }, { q2: 'b' }, {}]);
  });

  it('match canonicalJson for anything else a hand-edited ballot may hold', () => {
    same(parsed(['{"q1": 1, "q2": "a"}', '{"q1": null}', '{"q1": {"b": 1, "a": [2, "x"]}}', '{"q1": true}']));
    same(parsed(['[1, 2]', '"text"', '7', 'null', '{"q1": "a"}', '{"q1": [1]}']));
    for (const key of ['10', '2', '0', '__proto__', 'toString', 'constructor', 'hasOwnProperty', 'valueOf']) {
      same(parsed([`{"q1": "a", "${key}": "b", "q10": "c"}`, '{"q1": "b", "q2": "c"}']));
    }
  });

  it('match canonicalJson on 3,000 random ballots drawn from awkward keys and values', () => {
    let seed = 20261207;
    const rand = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    const keys = [
      'q1',
      'q2',
      'q10',
      'q11',
      'q12',
      'Q1',
      'q1 ',
      '中',
      '😀',
      '\ue000',
      '',
      '10',
      '__proto__',
      'toString',
    ];
    const values: unknown[] = [
      'satisfied',
      '',
      '"',
      '\\',
      '\n',
      '😀',
      '\ud800',
      '修路。',
      0,
      1.5,
      null,
      false,
      { a: '1' },
      ['x'],
    ];
    for (let session = 0; session < 100; session++) {
      const ballots = Array.from({ length: 30 }, () => {
        const pairs: string[] = [];
        for (const k of keys) {
          const weird = typeof values[rand(values.length)] !== 'string' || rand(40) === 0;
          // a key an object would not keep in insertion order: in every fourth session only
          if (rand(3) === 0 && (!/^(\d+|__proto__|toString)$/.test(k) || session % 4 === 1)) {
            const v = weird && session % 2 === 0 ? values[rand(values.length)] : values[rand(8)];
            pairs.push(`${JSON.stringify(k)}: ${JSON.stringify(v)}`);
          }
        }
        return `{${pairs.join(', ')}}`;
      });
      same(parsed(ballots));
    }
  });
});

describe('the result built at close', () => {
  it('is version 2: the tally, reconciliation, verdict and the ballot digest', () => {
    const questionnaire = defaultQuestionnaire();
    const rules = defaultRuleSet();
    const perQuestion = { q1: { satisfied: 6, basic: 1, dissatisfied: 1, unknown: 0 } };
    const counts = { ballots: 8, perQuestion, comments: [], identityGate: {} };
    const result = buildResult({
      sessionId: 7,
      closedAt: new Date('2025-06-01T08:30:00.123Z'),
      residentsPresent: 10,
      issued: 9,
      questionnaire,
      rules,
      turnout: { used: 8, online: 7, paper: 1 },
      counts,
      ballotDigest: 'ab'.repeat(32),
    });
    const tally = { residentsPresent: 10, issued: 9, used: 8, ballots: 8 };
    expect(result).toEqual({
      version: 2,
      sessionId: 7,
      closedAt: '2025-06-01T08:30:00.123Z',
      ...tally,
      online: 7,
      paper: 1,
      reconciled: true,
      questionnaire,
      rules,
      identityQuestionId: 'q12',
      counts,
      verdict: decide(rules, { ...tally, gateCounts: perQuestion.q1 }),
      ballotDigest: 'ab'.repeat(32),
    });
    expect(result.verdict.outcome).toBe('pass');
  });
});
