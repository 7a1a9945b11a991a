import { describe, expect, it } from 'vitest';
import {
  batchTitle,
  duplicateRows,
  MAX_AHEAD_MS,
  runDecision,
  scheduleChangeProblem,
  windowProblem,
  type RunView,
} from '../../server/modules/schedule/schedule.rules.ts';

const NOW = Date.UTC(2026, 5, 1, 1, 0, 0);

describe('windowProblem', () => {
  it('accepts no times at all', () => {
    expect(windowProblem({ openAt: null, closeAt: null }, NOW)).toBeNull();
  });

  it('wants an open strictly after now: now is refused, one millisecond later is not', () => {
    expect(windowProblem({ openAt: NOW, closeAt: null }, NOW)).toBe('定时开始时间须晚于现在');
    expect(windowProblem({ openAt: NOW - 1, closeAt: null }, NOW)).toBe('定时开始时间须晚于现在');
    expect(windowProblem({ openAt: NOW + 1, closeAt: null }, NOW)).toBeNull();
  });

  it('wants a close strictly after now', () => {
    expect(windowProblem({ openAt: null, closeAt: NOW }, NOW)).toBe('定时结束时间须晚于现在');
    expect(windowProblem({ openAt: null, closeAt: NOW + 1 }, NOW)).toBeNull();
  });

  it('wants the close strictly after the open: equal is refused', () => {
    expect(windowProblem({ openAt: NOW + 10, closeAt: NOW + 10 }, NOW)).toBe('定时结束时间须晚于定时开始时间');
    expect(windowProblem({ openAt: NOW + 10, closeAt: NOW + 9 }, NOW)).toBe('定时结束时间须晚于定时开始时间');
    expect(windowProblem({ openAt: NOW + 10, closeAt: NOW + 11 }, NOW)).toBeNull();
  });

  it('allows a year ahead exactly, not a millisecond more', () => {
    expect(windowProblem({ openAt: NOW + MAX_AHEAD_MS, closeAt: null }, NOW)).toBeNull();
    expect(windowProblem({ openAt: NOW + MAX_AHEAD_MS + 1, closeAt: null }, NOW)).toBe('定时开始时间不能在一年以后');
    expect(windowProblem({ openAt: null, closeAt: NOW + MAX_AHEAD_MS + 1 }, NOW)).toBe('定时结束时间不能在一年以后');
  });

  it('does not hold a time kept unchanged to the clock', () => {
    const w = { openAt: NOW - 5, closeAt: NOW + 100 };
    expect(windowProblem(w, NOW, { openAt: false, closeAt: true })).toBeNull();
    expect(windowProblem(w, NOW, { openAt: true, closeAt: true })).toBe('定时开始时间须晚于现在');
  });
});

describe('scheduleChangeProblem', () => {
  const none = { openAt: null, closeAt: null };

  it('lets a draft change both times and an open session only its close', () => {
    expect(scheduleChangeProblem('draft', none, { openAt: NOW + 1, closeAt: NOW + 2 }, NOW)).toBeNull();
    const opened = { openAt: NOW - 60_000, closeAt: NOW + 60_000 };
    expect(scheduleChangeProblem('open', opened, { ...opened, closeAt: NOW + 1 }, NOW)).toBeNull();
    expect(scheduleChangeProblem('open', opened, { ...opened, closeAt: null }, NOW)).toBeNull();
    expect(scheduleChangeProblem('open', opened, { ...opened, openAt: NOW + 5 }, NOW)).toBe(
      '测评已开始，不能再修改开始时间',
    );
    expect(scheduleChangeProblem('open', opened, { ...opened, closeAt: NOW }, NOW)).toBe('定时结束时间须晚于现在');
  });

  it('refuses any change after the close', () => {
    for (const status of ['closed', 'certified', 'void'] as const) {
      expect(scheduleChangeProblem(status, none, none, NOW)).toBe('只有草稿或测评中的场次可以修改定时');
    }
  });
});

describe('runDecision', () => {
  const DUE = NOW;
  const ready: RunView = {
    status: 'draft',
    scheduledOpenAt: DUE,
    scheduledCloseAt: null,
    residentsConfirmed: true,
    issued: 3,
  };
  const open: RunView = { ...ready, status: 'open', scheduledCloseAt: DUE };

  it('opens a ready draft at its time', () => {
    expect(runDecision('open', ready, DUE, false)).toEqual({ go: true });
  });

  it('does nothing when the stored time is another (changed, cancelled) or the step is done', () => {
    expect(runDecision('open', { ...ready, scheduledOpenAt: DUE + 1 }, DUE, false)).toEqual({
      go: false,
      reason: null,
    });
    expect(runDecision('open', { ...ready, scheduledOpenAt: null }, DUE, false)).toEqual({ go: false, reason: null });
    for (const status of ['open', 'closed', 'certified', 'void'] as const) {
      expect(runDecision('open', { ...ready, status }, DUE, false)).toEqual({ go: false, reason: null });
    }
    expect(runDecision('close', { ...open, scheduledCloseAt: DUE - 1 }, DUE, false)).toEqual({
      go: false,
      reason: null,
    });
    for (const status of ['closed', 'certified', 'void'] as const) {
      expect(runDecision('close', { ...open, status }, DUE, false)).toEqual({ go: false, reason: null });
    }
  });

  it('says why a draft cannot open: residents, then slips (0 issued, 1 is enough), then the account', () => {
    expect(runDecision('open', { ...ready, residentsConfirmed: false, issued: 0 }, DUE, false)).toEqual({
      go: false,
      reason: '在村人数尚未经乡镇确认',
    });
    expect(runDecision('open', { ...ready, issued: 0 }, DUE, false)).toEqual({ go: false, reason: '尚未发放测评票' });
    expect(runDecision('open', { ...ready, issued: 1 }, DUE, false)).toEqual({ go: true });
    expect(runDecision('open', ready, DUE, true)).toEqual({ go: false, reason: '安排定时的账户已停用' });
  });

  it('closes an open session at its time, and says why a draft cannot be closed', () => {
    expect(runDecision('close', open, DUE, false)).toEqual({ go: true });
    expect(runDecision('close', { ...open, status: 'draft' }, DUE, false)).toEqual({
      go: false,
      reason: '测评尚未开始',
    });
    expect(runDecision('close', open, DUE, true)).toEqual({ go: false, reason: '安排定时的账户已停用' });
  });
});

describe('batch rows', () => {
  it('names the village before a given title, and leaves a blank one to the default', () => {
    expect(batchTitle('东山村', ' 2026年度村级自评 ')).toBe('东山村 2026年度村级自评');
    expect(batchTitle('东山村', '  ')).toBeUndefined();
    expect(batchTitle('东山村', undefined)).toBeUndefined();
  });

  it('finds every repetition after the first', () => {
    expect(duplicateRows([])).toEqual([]);
    expect(duplicateRows([{ villageId: 1 }, { villageId: 2 }])).toEqual([]);
    expect(duplicateRows([{ villageId: 1 }, { villageId: 2 }, { villageId: 1 }, { villageId: 1 }])).toEqual([2, 3]);
  });
});
