// The inbox's 三级认定 rules: which list stages wait for which role, and how a waiting or returned
// list is worded (issue 10).
import { describe, expect, it } from 'vitest';
import {
  followsOwnList,
  listCountsText,
  listReturnedDetail,
  listStagesWaitingFor,
  listWaitingDetail,
} from '../../server/modules/inbox/inbox.rules.ts';

describe('listStagesWaitingFor', () => {
  it('gives the county proposed (部务会) and determined (常委会), and no other role any stage', () => {
    expect(listStagesWaitingFor('county')).toEqual(['proposed', 'determined']);
    for (const role of ['township', 'city', 'village', 'admin', 'department'] as const) {
      expect(listStagesWaitingFor(role)).toEqual([]);
    }
  });

  it('lets only a township follow its returned list and the reports sent to screening', () => {
    expect(followsOwnList('township')).toBe(true);
    for (const role of ['county', 'city', 'village', 'admin', 'department'] as const) {
      expect(followsOwnList(role)).toBe(false);
    }
  });
});

describe('listCountsText', () => {
  it('names only the outcomes present, and says when the list is empty', () => {
    expect(listCountsText({ rectify: 0, prevent: 0, none: 0 })).toBe('名单为空');
    expect(listCountsText({ rectify: 1, prevent: 0, none: 0 })).toBe('软弱涣散村 1 个');
    expect(listCountsText({ rectify: 0, prevent: 2, none: 3 })).toBe('重点防控村 2 个、不列入 3 个');
    expect(listCountsText({ rectify: 1, prevent: 1, none: 1 })).toBe('软弱涣散村 1 个、重点防控村 1 个、不列入 1 个');
  });
});

describe('listWaitingDetail', () => {
  const counts = { rectify: 1, prevent: 0, none: 0 };
  const step = { meeting: null, meetingDate: null, documentNo: null, reason: null };

  it('says which county meeting acts next', () => {
    expect(listWaitingDetail('proposed', counts, null)).toBe('软弱涣散村 1 个；请部务会初步认定或退回乡镇');
    expect(listWaitingDetail('determined', counts, null)).toBe('软弱涣散村 1 个；请常委会审定或退回部务会');
  });

  it('names the meeting that moved the list, with its document number when there is one', () => {
    const propose = { ...step, action: 'propose', meeting: '乡镇党委会', meetingDate: '2026-03-01' };
    expect(listWaitingDetail('proposed', counts, propose)).toBe(
      '软弱涣散村 1 个；乡镇党委会 2026-03-01 研究提交；请部务会初步认定或退回乡镇',
    );
    const determine = { ...step, action: 'determine', meeting: '部务会', meetingDate: '2026-03-10', documentNo: '3号' };
    expect(listWaitingDetail('determined', counts, determine)).toBe(
      '软弱涣散村 1 个；部务会 2026-03-10 初步认定（3号）；请常委会审定或退回部务会',
    );
  });

  it('gives the reason when 常委会 sent the list back to 部务会', () => {
    const back = { ...step, action: 'return', meeting: '常委会', reason: '补充材料' };
    expect(listWaitingDetail('proposed', counts, back)).toBe(
      '软弱涣散村 1 个；常委会退回，理由：补充材料；请部务会初步认定或退回乡镇',
    );
  });
});

describe('listReturnedDetail', () => {
  it('dates the return by its meeting, else by the China day it was entered', () => {
    const at = new Date('2026-03-11T17:00:00Z'); // 2026-03-12 01:00 in China
    expect(listReturnedDetail({ meeting: '部务会', meetingDate: null, reason: '证据不足', at })).toBe(
      '部务会 2026-03-12 退回，理由：证据不足；请修改后重新经乡镇党委会研究提交',
    );
    expect(listReturnedDetail({ meeting: '部务会', meetingDate: '2026-03-10', reason: '证据不足', at })).toBe(
      '部务会 2026-03-10 退回，理由：证据不足；请修改后重新经乡镇党委会研究提交',
    );
  });
});
