import { describe, expect, it } from 'vitest';
import {
  availableActions,
  caseTypesFor,
  edgeOf,
  EDGES,
  earliestMeetingDay,
  entryRefusal,
  lastStepDay,
  loweringRefusal,
  loweringText,
  stepRefusal,
  type Edge,
} from '../../server/modules/decisions/decisions.rules.ts';

const edge = (action: Edge['action'], from: Edge['from']) => edgeOf(action, from) as Edge;
const TODAY = '2026-03-20';

describe('the stage machine', () => {
  it('lets the township propose a draft and the county determine, approve and send back', () => {
    expect(availableActions('township', 'draft')).toEqual(['propose']);
    expect(availableActions('county', 'draft')).toEqual([]);
    expect(availableActions('county', 'proposed')).toEqual(['determine', 'return']);
    expect(availableActions('township', 'proposed')).toEqual([]);
    expect(availableActions('county', 'determined')).toEqual(['approve', 'return']);
    for (const role of ['admin', 'city', 'village', 'department', 'township', 'county']) {
      expect(availableActions(role, 'approved')).toEqual([]);
    }
    expect(availableActions('city', 'proposed')).toEqual([]);
  });

  it('sends a proposed list back to the township and a determined one back to 部务会', () => {
    expect(edge('return', 'proposed')).toMatchObject({ to: 'draft', meeting: '部务会' });
    expect(edge('return', 'determined')).toMatchObject({ to: 'proposed', meeting: '常委会' });
    expect(edgeOf('return', 'draft')).toBeUndefined();
    expect(edgeOf('return', 'approved')).toBeUndefined();
    expect(edgeOf('approve', 'proposed')).toBeUndefined();
    expect(EDGES.map((e) => `${e.action}:${e.from}>${e.to}`)).toEqual([
      'propose:draft>proposed',
      'determine:proposed>determined',
      'approve:determined>approved',
      'return:proposed>draft',
      'return:determined>proposed',
    ]);
  });
});

describe('stepRefusal', () => {
  const propose = edge('propose', 'draft');
  const determine = edge('determine', 'proposed');
  const approve = edge('approve', 'determined');
  const back = edge('return', 'proposed');
  const ok = { meetingDate: '2026-03-10', decision: '同意', documentNo: '1号' };

  it('accepts a complete step, with a meeting today or on the day of the step before', () => {
    expect(stepRefusal(propose, ok, TODAY, null)).toBeNull();
    expect(stepRefusal(determine, { ...ok, meetingDate: TODAY }, TODAY, TODAY)).toBeNull();
    expect(stepRefusal(approve, { ...ok, meetingDate: '2026-03-10' }, TODAY, '2026-03-10')).toBeNull();
    expect(stepRefusal(back, { reason: '材料不全' }, TODAY, '2026-03-10')).toBeNull();
  });

  it('refuses a meeting tomorrow or before the step it follows, and a malformed date', () => {
    expect(stepRefusal(propose, { ...ok, meetingDate: '2026-03-21' }, TODAY, null)?.message).toBe(
      '会议日期不能晚于今天',
    );
    expect(stepRefusal(determine, { ...ok, meetingDate: '2026-03-09' }, TODAY, '2026-03-10')?.message).toBe(
      '会议日期不能早于上一步骤的会议日期（2026-03-10）',
    );
    expect(stepRefusal(propose, { ...ok, meetingDate: '2026-02-30x' }, TODAY, null)?.field).toBe('meetingDate');
    expect(stepRefusal(propose, { ...ok, meetingDate: '2026-13-01' }, TODAY, null)?.field).toBe('meetingDate');
    expect(stepRefusal(propose, { ...ok, meetingDate: '2026-02-29' }, TODAY, null)?.message).toBe(
      '会议日期格式应为 YYYY-MM-DD',
    );
    expect(stepRefusal(propose, { ...ok, meetingDate: '2024-02-29' }, TODAY, null)).toBeNull();
  });

  it('asks each step for what it records', () => {
    expect(stepRefusal(propose, { ...ok, meetingDate: undefined }, TODAY, null)?.message).toBe(
      '请填写乡镇党委会的召开日期',
    );
    expect(stepRefusal(propose, { ...ok, decision: '  ' }, TODAY, null)?.message).toBe('请填写乡镇党委会的研究意见');
    expect(stepRefusal(propose, { ...ok, documentNo: undefined }, TODAY, null)).toBeNull();
    expect(stepRefusal(determine, { ...ok, documentNo: '' }, TODAY, null)?.message).toBe(
      '请填写部务会的文件（纪要）编号',
    );
    expect(stepRefusal(approve, { ...ok, documentNo: undefined }, TODAY, null)?.message).toBe(
      '请填写常委会的文件（纪要）编号',
    );
    expect(stepRefusal(determine, { ...ok, decision: undefined }, TODAY, null)).toBeNull();
    expect(stepRefusal(back, {}, TODAY, null)?.message).toBe('退回须写明理由');
    expect(stepRefusal(back, { reason: ' ' }, TODAY, null)?.field).toBe('reason');
  });

  it('accepts the meeting named only when it is the step’s own', () => {
    expect(stepRefusal(determine, { ...ok, meeting: '部务会' }, TODAY, null)).toBeNull();
    expect(stepRefusal(determine, { ...ok, meeting: '常委会' }, TODAY, null)?.message).toBe(
      '此步骤由部务会作出，会议应为“部务会”',
    );
  });
});

describe('entryRefusal', () => {
  const rectify = { outcome: 'rectify', preventionLevel: null } as const;
  const prevent2 = { outcome: 'prevent', preventionLevel: 2 } as const;

  it('takes the proposal as it is without a note', () => {
    expect(entryRefusal({ ...rectify, note: '' }, rectify)).toBeNull();
    expect(entryRefusal({ ...prevent2, note: '' }, prevent2)).toBeNull();
  });

  it('asks for a note when the outcome or only the level differs', () => {
    expect(entryRefusal({ outcome: 'none', preventionLevel: null, note: ' ' }, rectify)).toBe(
      '与排查建议不一致时须写明理由',
    );
    expect(entryRefusal({ outcome: 'prevent', preventionLevel: 1, note: '' }, prevent2)).toBe(
      '与排查建议不一致时须写明理由',
    );
    expect(entryRefusal({ outcome: 'prevent', preventionLevel: 1, note: '村干部涉案' }, prevent2)).toBeNull();
  });

  it('wants a level for 重点防控村 and none otherwise', () => {
    expect(entryRefusal({ outcome: 'prevent', preventionLevel: null, note: 'x' }, rectify)).toBe(
      '重点防控村须选择防控措施等级',
    );
    expect(entryRefusal({ outcome: 'rectify', preventionLevel: 3, note: 'x' }, prevent2)).toBe(
      '只有重点防控村有防控措施等级',
    );
  });
});

describe('caseTypesFor', () => {
  const DEFAULTS = ['班子战斗力不强', '推进乡村振兴缓慢', '矛盾问题突出', '村容村貌较差'];

  it('maps the risk types to the default case types once each, in the order found', () => {
    expect(caseTypesFor(['governance', 'party_building', 'integrity'], DEFAULTS)).toEqual([
      '矛盾问题突出',
      '班子战斗力不强',
    ]);
    expect(caseTypesFor(['revitalization'], DEFAULTS)).toEqual(['推进乡村振兴缓慢']);
  });

  it('falls back to the campaign’s first type when nothing matches', () => {
    expect(caseTypesFor([], DEFAULTS)).toEqual(['班子战斗力不强']);
    expect(caseTypesFor(['governance'], ['软弱', '涣散'])).toEqual(['软弱']);
  });
});

describe('loweringRefusal', () => {
  it('lowers one step at a time and lifts only from 三级', () => {
    expect(loweringRefusal(1, 1)).toBeNull();
    expect(loweringRefusal(1, 2)).toBeNull();
    expect(loweringRefusal(2, 3)).toBeNull();
    expect(loweringRefusal(3, null)).toBeNull();
    expect(loweringRefusal(1, 3)).toBe('防控措施等级须逐级调低');
    expect(loweringRefusal(2, 1)).toBe('防控措施等级只能调低，不能调高');
    expect(loweringRefusal(3, 2)).toBe('防控措施等级只能调低，不能调高');
    expect(loweringRefusal(1, null)).toBe('须先调至三级防控，才能解除重点防控');
    expect(loweringRefusal(2, null)).toBe('须先调至三级防控，才能解除重点防控');
  });

  it('says the change in words', () => {
    expect(loweringText(1, 2)).toBe('由一级调至二级防控');
    expect(loweringText(2, 2)).toBe('维持二级防控');
    expect(loweringText(3, null)).toBe('由三级防控解除重点防控');
  });
});

describe('how early a meeting may be dated', () => {
  const propose = edge('propose', 'draft');
  const ok = { meetingDate: '2025-01-01', decision: '同意' };

  it('accepts 1 January of the year before the list’s and refuses the day before (a mistyped 0026 or 2006)', () => {
    expect(earliestMeetingDay(2026)).toBe('2025-01-01');
    expect(stepRefusal(propose, ok, TODAY, null, 2026)).toBeNull();
    const message = '会议日期不能早于 2025-01-01（本名单为 2026 年度）';
    for (const meetingDate of ['2024-12-31', '2006-03-01', '0001-01-01']) {
      expect(stepRefusal(propose, { ...ok, meetingDate }, TODAY, null, 2026)).toEqual({
        field: 'meetingDate',
        message,
      });
    }
    // without the year (an older caller) only the other checks apply
    expect(stepRefusal(propose, { ...ok, meetingDate: '2006-03-01' }, TODAY, null)).toBeNull();
  });

  it('dates the next meeting from the latest meeting, or the day a return without one was entered', () => {
    const step = (action: Edge['action'], meetingDate: string | null, enteredOn: string) => ({
      action,
      meetingDate,
      enteredOn,
    });
    expect(lastStepDay([])).toBeNull();
    expect(lastStepDay([step('propose', '2026-03-01', '2026-03-05')])).toBe('2026-03-01');
    expect(lastStepDay([step('propose', '2026-03-01', '2026-03-05'), step('return', null, '2026-03-07')])).toBe(
      '2026-03-07',
    );
    expect(lastStepDay([step('propose', '2026-03-01', '2026-03-05'), step('return', '2026-03-06', '2026-03-07')])).toBe(
      '2026-03-06',
    );
    // a step other than a return always has its meeting's date; without one it dates nothing
    expect(lastStepDay([step('propose', '2026-03-01', '2026-03-05'), step('determine', null, '2026-03-09')])).toBe(
      '2026-03-01',
    );
  });
});
