// The board page's pure view logic (web/src/console/board): the address round trip, filter counts,
// sorting with empty values last, the 10 % bins of the rate histogram, the margin words, and the
// live turnout written in place (or a signal to read the board again), and the reply's rule table
// and left-out labels read back into the rows (board.view).
import { describe, expect, it } from 'vitest';
import type { Board } from '../../server/modules/board/board.schemas.ts';
import { boardView, fileText, fortressText, riskText } from '../../server/modules/board/board.view.ts';
import type { BoardVillage, LatestSession } from '../../web/src/console/board/boardApi.ts';
import { rateBins } from '../../web/src/console/board/charts.ts';
import { countsOf, queryOf, rowsOf, viewFrom } from '../../web/src/console/board/filters.ts';
import { marginText, rateText } from '../../web/src/console/board/labels.ts';
import { withTurnout } from '../../web/src/console/board/turnout.ts';

function session(id: number, over: Partial<LatestSession> = {}): LatestSession {
  return {
    sessionId: id,
    kind: 'self_evaluation',
    status: 'open',
    residentsPresent: 10,
    issued: 10,
    used: 0,
    verdict: null,
    closedAt: null,
    ...over,
  };
}

function closed(id: number, satisfied: number, denominator: number, required: number): LatestSession {
  const ratePermille = denominator === 0 ? null : Math.floor((satisfied * 1000) / denominator);
  const outcome = denominator === 0 ? 'undecidable' : satisfied >= required ? 'pass' : 'fail';
  return session(id, {
    status: 'closed',
    closedAt: `2026-05-0${id % 9}T00:00:00Z`,
    verdict: { outcome, satisfied, required, denominator, margin: satisfied - required, ratePermille, rule: 'r' },
  });
}

function village(id: number, name: string, township: number, latest: LatestSession[], light?: 'red'): BoardVillage {
  return {
    villageId: id,
    villageName: name,
    townshipId: township,
    townshipName: `镇${township}`,
    case: light ? { id, state: 'rectifying', stateLabel: '整顿中', light: { color: light, reason: '逾期' } } : null,
    latest,
    nextStep: null,
    file: null,
    fortress: null,
    risk: null,
  };
}

const villages = [
  village(1, '甲村', 1, [closed(11, 6, 10, 6)]),
  village(2, '乙村', 1, [closed(12, 3, 10, 6)], 'red'),
  village(3, '丙村', 2, [session(13)]),
  village(4, '丁村', 2, []),
];

describe('the board view in the address', () => {
  it('reads back what it writes, and drops unknown values', () => {
    const view = {
      region: 3,
      year: 2026,
      state: 'unlisted',
      verdict: 'fail',
      q: '河口',
      sort: 'rate',
      desc: true,
    } as const;
    expect(viewFrom(Object.fromEntries(new URLSearchParams(queryOf(view).slice(1))))).toEqual(view);
    expect(viewFrom({ region: '0', light: 'blue', kind: 'x', sort: 'nope', state: 'gone', q: '  ' })).toEqual({});
  });
});

describe('filters and counts', () => {
  it('counts each value with the other filters kept', () => {
    const c = countsOf(villages, { township: 1 });
    expect(Object.fromEntries(c.verdict)).toEqual({ pass: 1, fail: 1, undecidable: 0, none: 0 });
    expect(Object.fromEntries(c.township)).toEqual({ 1: 2, 2: 2 });
    expect(c.state.get('unlisted')).toBe(1);
    expect(rowsOf(villages, { verdict: 'none' }).map((v) => v.villageName)).toEqual(['丙村', '丁村']);
    expect(rowsOf(villages, { q: '乙' }).map((v) => v.villageName)).toEqual(['乙村']);
  });

  it('sorts by rate either way with villages without one last', () => {
    expect(rowsOf(villages, { sort: 'rate' }).map((v) => v.villageId)).toEqual([2, 1, 3, 4]);
    expect(rowsOf(villages, { sort: 'rate', desc: true }).map((v) => v.villageId)).toEqual([1, 2, 3, 4]);
    expect(rowsOf(villages, { sort: 'light' }).map((v) => v.villageId)).toEqual([2, 1, 3, 4]);
  });
});

describe('rate bins and words', () => {
  it('puts 0–9.9 % in the first bin, exactly 10 % in the second, 100 % in the last', () => {
    const rows = [
      village(1, 'a', 1, [closed(1, 0, 10, 6)]),
      village(2, 'b', 1, [closed(2, 99, 1000, 501)]),
      village(3, 'c', 1, [closed(3, 1, 10, 6)]),
      village(4, 'd', 1, [closed(4, 10, 10, 6)]),
      village(5, 'e', 1, [closed(5, 0, 0, 1)]),
    ];
    expect(rateBins(rows)).toEqual([2, 1, 0, 0, 0, 0, 0, 0, 0, 1]);
  });

  it('says how many votes were missing or to spare', () => {
    expect(marginText(closed(1, 3, 10, 6).verdict!)).toBe('还差 3 票');
    expect(marginText(closed(1, 6, 10, 6).verdict!)).toBe('恰好达到');
    expect(marginText(closed(1, 8, 10, 6).verdict!)).toBe('超出 2 票');
    expect(marginText(closed(1, 0, 0, 1).verdict!)).toBe('');
    expect([rateText(615), rateText(1000), rateText(0), rateText(null)]).toEqual(['61.5%', '100.0%', '0.0%', '—']);
  });
});

describe('live turnout', () => {
  const row = { sessionId: 13, villageId: 3, status: 'open' as const, issued: 10, used: 4, residentsPresent: 10 };

  it('writes the turnout into the open session and keeps the other rows as they were', () => {
    const next = withTurnout(villages, [row])!;
    expect(next[2]!.latest[0]!.used).toBe(4);
    expect(next[0]).toBe(villages[0]);
    expect(withTurnout(villages, [{ ...row, used: 0 }])![2]).toBe(villages[2]);
  });

  it('asks for the board again when a session shown open is closed or a new one opened', () => {
    expect(withTurnout(villages, [])).toBeNull();
    expect(withTurnout(villages, [{ ...row, status: 'closed' }])).toBeNull();
    expect(withTurnout(villages, [row, { ...row, sessionId: 99 }])).toBeNull();
  });
});

describe('the reply read back into the rows the page shows (board.view)', () => {
  const reply: Board = {
    region: { id: 1, name: '镇', level: 'township' },
    breadcrumb: [{ id: 1, name: '镇', level: 'township' }],
    children: [],
    year: 2026,
    years: [2026],
    rules: [
      { id: 1, text: '满意人数须大于在村人数的一半' },
      { id: 2, text: '满意率须达到 80% 及以上' },
    ],
    villages: [
      {
        villageId: 5,
        villageName: '甲村',
        townshipId: 1,
        townshipName: '镇',
        case: { id: 9, state: 'applied', light: { color: 'green', reason: '按期推进' } },
        latest: [
          {
            sessionId: 7,
            kind: 'self_evaluation',
            status: 'closed',
            residentsPresent: 10,
            issued: 10,
            used: 9,
            verdict: { outcome: 'fail', satisfied: 5, required: 6, denominator: 10, ruleId: 2 },
            closedAt: '2026-05-01T00:00:00.000Z',
          },
          { ...session(8, { kind: 'township_check', used: 3 }), verdict: null },
        ],
        nextStep: {
          action: 'receive',
          label: '受理验收申请，开始乡镇初验',
          role: 'township',
          kind: null,
          sessionId: null,
        },
        file: { year: 2026, filled: 17, required: 18, percent: 94 },
        fortress: { year: 2026, grade: 'weak', total: 52, maxTotal: 100 },
        risk: { year: 2026, level: 'middle' },
      },
    ],
    totals: {
      villages: 1,
      listed: 1,
      byLight: { red: 0, yellow: 0, green: 1 },
      byVerdict: { pass: 0, fail: 1, undecidable: 0, none: 0 },
      openSessions: 1,
    },
  };

  it('puts each verdict’s rule in words, its margin and rate, and the labels back', () => {
    const [v] = boardView(reply).villages;
    expect(v?.case?.stateLabel).toBe('已申请验收');
    expect(v?.nextStep?.roleLabel).toBe('乡镇党委');
    expect(v?.latest[0]?.verdict).toEqual({
      outcome: 'fail',
      satisfied: 5,
      required: 6,
      denominator: 10,
      margin: -1,
      ratePermille: 500,
      rule: '满意率须达到 80% 及以上',
    });
    expect(v?.latest[1]).toMatchObject({ sessionId: 8, status: 'open', used: 3, verdict: null });
    expect(v?.fortress).toEqual({ year: 2026, grade: 'weak', gradeLabel: '弱村', total: 52, maxTotal: 100 });
    expect(v?.risk).toEqual({ year: 2026, level: 'middle', levelLabel: '中风险' });
  });

  it('words the 村情档案, 堡垒指数 and risk level for the print and the workbook', () => {
    const [v] = boardView(reply).villages as [BoardVillage];
    expect(fileText(v.file)).toBe('94%（必填项已填 17/18）');
    expect(fileText(null)).toBe('未建档');
    expect(fortressText(v.fortress)).toBe('弱村 52/100 分');
    expect(fortressText(null)).toBe('未评分');
    expect(riskText(v)).toBe('中风险');
    // a 弱村 not screened yet says so; a village with nothing to screen says nothing
    expect(riskText({ ...v, risk: null })).toBe('未排查');
    expect(riskText({ risk: null, fortress: { ...v.fortress!, grade: 'middle' } })).toBeNull();
    expect(riskText({ risk: null, fortress: null })).toBeNull();
  });
});
