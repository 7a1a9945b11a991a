import { describe, expect, it } from 'vitest';
import { ROLES, type Role } from '../../server/lib/access.ts';
import {
  availableActions,
  CASE_ACTIONS,
  CASE_STATES,
  chinaDay,
  lightOf,
  refusal,
  type CaseAction,
  type CaseFacts,
  type CaseState,
  type LightInput,
  type SessionFact,
} from '../../server/modules/cases/cases.rules.ts';
import { caseSessionRefusal, editRights } from '../../server/modules/cases/cases.rights.ts';
import { SESSION_KINDS } from '../../server/modules/sessions/sessions.rules.ts';

// The expectations are written out here independently of the implementation's table.
const ALLOWED: Record<CaseAction, Partial<Record<CaseState, Role[]>>> = {
  start: { listed: ['county', 'city', 'township'] },
  request_evaluation: { rectifying: ['village', 'township'] },
  apply: { village_evaluation: ['village'] },
  receive: { applied: ['township'] },
  township_pass: { township_check: ['township'] },
  county_pass: { county_acceptance: ['county'] },
  city_pass: { city_review: ['city'] },
  return: {
    village_evaluation: ['village', 'township'],
    applied: ['township'],
    township_check: ['township'],
    county_acceptance: ['county'],
    city_review: ['city'],
  },
  monitor: { exited: ['county', 'city'] },
  lookback_pass: { monitoring: ['county', 'city'] },
  relist: { monitoring: ['county', 'city'] },
};

const passed = (id: number): SessionFact => ({
  id,
  outcome: 'pass',
  reconciled: true,
  satisfied: 8,
  needed: 0,
  rule: '满意人数须大于在村人数的一半（恰好一半不通过）',
  reason: null,
});

/** Facts under which every gate is open. */
const OPEN: CaseFacts = {
  openProblems: 0,
  selfEvaluation: passed(1),
  countyCallback: passed(2),
  lookBack: passed(3),
  lookBackUsed: false,
  countyPassSinceReturn: true,
  requireFortressGrade: true,
  fortressGrade: 'middle',
  relistedAs: null,
};
const TODAY = '2026-03-10';
const FULL = { reason: '问题未整改到位', deadline: '2026-06-30' };

describe('the role and state gate', () => {
  for (const role of ROLES) {
    for (const action of CASE_ACTIONS) {
      const everAllowed = Object.values(ALLOWED[action]).some((roles) => roles.includes(role));
      for (const state of CASE_STATES) {
        const allowed = ALLOWED[action][state]?.includes(role) ?? false;
        const expected = allowed ? 'allowed' : everAllowed ? 'state' : 'role';
        it(`${role} ${action} from ${state}: ${expected}`, () => {
          const r = refusal(role, action, state, OPEN, FULL, TODAY);
          expect(r === null ? 'allowed' : r.reason).toBe(expected);
        });
      }
    }
  }

  it('names the state and the step in the 409 message', () => {
    expect(refusal('village', 'apply', 'rectifying', OPEN, {}, TODAY)).toEqual({
      reason: 'state',
      message: '案件当前为“整顿中”，不能申请验收',
    });
  });

  it('lists exactly the allowed actions of a role in a state, with gates and needed fields', () => {
    expect(availableActions('township', 'township_check', { ...OPEN, openProblems: 2 })).toEqual([
      { action: 'township_pass', label: '乡镇初验通过，报县级验收', blocked: '问题清单还有 2 项未销号', needs: [] },
      { action: 'return', label: '退回整改', blocked: null, needs: ['reason', 'deadline'] },
    ]);
    expect(availableActions('admin', 'listed', OPEN)).toEqual([]);
    expect(availableActions('village', 'applied', OPEN)).toEqual([]);
  });
});

const msg = (action: CaseAction, state: CaseState, facts: Partial<CaseFacts>, input: object = FULL, role?: Role) => {
  const r = refusal(role ?? ALLOWED[action][state]![0]!, action, state, { ...OPEN, ...facts }, input, TODAY);
  return r === null ? null : r.reason === 'state' ? r.message : 'role';
};

describe('the gates', () => {
  it('apply needs the latest self-evaluation closed, reconciled and passed', () => {
    expect(msg('apply', 'village_evaluation', { selfEvaluation: null })).toBe('尚无已结束的村级自评，不能申请验收');
    expect(
      msg('apply', 'village_evaluation', {
        selfEvaluation: { ...passed(1), outcome: 'fail', satisfied: 40, needed: 11 },
      }),
    ).toBe('最近一次村级自评未通过（满意 40 人，至少需要 51 人），不能申请验收');
    expect(msg('apply', 'village_evaluation', { selfEvaluation: { ...passed(1), reconciled: false } })).toBe(
      '最近一次村级自评票数核对不符，不能申请验收',
    );
    expect(
      msg('apply', 'village_evaluation', {
        selfEvaluation: { ...passed(1), outcome: 'undecidable', reason: '在村人数为 0，无法判定' },
      }),
    ).toBe('最近一次村级自评无法判定（在村人数为 0，无法判定），不能申请验收');
    expect(msg('apply', 'village_evaluation', {})).toBeNull();
  });

  it('township_pass needs every problem done: 1 open blocks, 0 passes', () => {
    expect(msg('township_pass', 'township_check', { openProblems: 1 })).toBe('问题清单还有 1 项未销号');
    expect(msg('township_pass', 'township_check', { openProblems: 0 })).toBeNull();
  });

  it('county_pass needs a passed callback and, when required, a grade read from the township scoring', () => {
    expect(msg('county_pass', 'county_acceptance', { countyCallback: null })).toBe(
      '尚无已结束的县级回访测评，不能通过县级验收',
    );
    expect(
      msg('county_pass', 'county_acceptance', { countyCallback: { ...passed(2), outcome: 'fail', needed: 0 } }),
    ).toBe('最近一次县级回访测评未通过（满意人数须大于在村人数的一半（恰好一半不通过）），不能通过县级验收');
    expect(msg('county_pass', 'county_acceptance', { fortressGrade: null }, {})).toBe(
      '该村尚无本整顿年度及以后的堡垒指数评分（由乡镇在“堡垒指数”中逐项评分），不能通过县级验收',
    );
    expect(msg('county_pass', 'county_acceptance', { fortressGrade: 'weak' }, {})).toBeNull();
    expect(msg('county_pass', 'county_acceptance', { fortressGrade: 'middle' }, {})).toBeNull();
    expect(
      msg('county_pass', 'county_acceptance', { fortressGrade: null, requireFortressGrade: false }, {}),
    ).toBeNull();
  });

  it('city_pass needs a county pass since the last return and, when required, at least 中等村', () => {
    expect(msg('city_pass', 'city_review', { countyPassSinceReturn: false })).toBe(
      '最近一次退回整改后尚未通过县级验收，不能退出',
    );
    expect(msg('city_pass', 'city_review', { fortressGrade: 'weak' })).toBe('堡垒指数评定为弱村，不能退出');
    expect(msg('city_pass', 'city_review', { fortressGrade: null })).toBe(
      '该村尚无本整顿年度及以后的堡垒指数评分（由乡镇在“堡垒指数”中逐项评分），不能退出',
    );
    expect(msg('city_pass', 'city_review', { fortressGrade: 'middle' })).toBeNull();
    expect(msg('city_pass', 'city_review', { fortressGrade: 'strong' })).toBeNull();
    expect(msg('city_pass', 'city_review', { fortressGrade: 'weak', requireFortressGrade: false })).toBeNull();
  });

  it('return needs a reason and a deadline after today', () => {
    const m = '退回整改须填写原因和新的整改期限';
    expect(msg('return', 'applied', {}, { deadline: '2026-06-30' })).toBe(m);
    expect(msg('return', 'applied', {}, { reason: '  ', deadline: '2026-06-30' })).toBe(m);
    expect(msg('return', 'applied', {}, { reason: '不实' })).toBe(m);
    expect(msg('return', 'applied', {}, { reason: '不实', deadline: TODAY })).toBe('新的整改期限须晚于今天');
    expect(msg('return', 'applied', {}, { reason: '不实', deadline: '2026-03-11' })).toBeNull();
  });

  it('lookback_pass needs a passed look-back not used before, and a case not relisted', () => {
    expect(msg('lookback_pass', 'monitoring', { lookBack: null })).toBe('尚无已结束的回头看测评，不能确认回头看通过');
    expect(msg('lookback_pass', 'monitoring', { lookBackUsed: true })).toBe(
      '最近一次回头看测评已用于确认通过，请先组织新的回头看测评',
    );
    expect(msg('lookback_pass', 'monitoring', { lookBack: { ...passed(3), outcome: 'fail', needed: 3 } })).toBe(
      '最近一次回头看测评未通过（满意 8 人，至少需要 11 人），不能确认回头看通过',
    );
    expect(msg('lookback_pass', 'monitoring', { relistedAs: 9 })).toBe('已重新列入，见案件 9');
    expect(msg('lookback_pass', 'monitoring', {})).toBeNull();
  });

  it('relist needs a closed look-back, a reason and a deadline, once', () => {
    expect(msg('relist', 'monitoring', { lookBack: null })).toBe('尚无已结束的回头看测评，不能重新列入');
    expect(msg('relist', 'monitoring', { relistedAs: 12 })).toBe('已重新列入，见案件 12');
    expect(msg('relist', 'monitoring', {}, { deadline: '2026-12-31' })).toBe('重新列入须填写原因和新案件的整改期限');
    expect(msg('relist', 'monitoring', { lookBack: { ...passed(3), outcome: 'fail' } })).toBeNull();
  });
});

describe('edit rights', () => {
  it('gives types and deadline to county and city, responsible also to the township, plan and problems to all', () => {
    expect(editRights('county', 'rectifying')).toEqual({
      types: true,
      deadline: true,
      plan: true,
      responsible: true,
      problems: true,
    });
    expect(editRights('city', 'listed')).toEqual(editRights('county', 'rectifying'));
    expect(editRights('township', 'applied')).toEqual({
      types: false,
      deadline: false,
      plan: true,
      responsible: true,
      problems: true,
    });
    expect(editRights('village', 'village_evaluation')).toEqual({
      types: false,
      deadline: false,
      plan: true,
      responsible: false,
      problems: true,
    });
  });

  it('gives nothing once the case is closed, and nothing to the admin', () => {
    const none = {
      types: false,
      deadline: false,
      plan: false,
      responsible: false,
      problems: false,
    };
    for (const role of ROLES) {
      expect(editRights(role, 'exited')).toEqual(none);
      expect(editRights(role, 'monitoring')).toEqual(none);
    }
    expect(editRights('admin', 'listed')).toEqual(none);
  });
});

describe('case sessions', () => {
  const KIND_STATE = {
    self_evaluation: 'village_evaluation',
    township_check: 'township_check',
    county_callback: 'county_acceptance',
    look_back: 'monitoring',
  };
  for (const kind of SESSION_KINDS) {
    it(`allows a ${kind} session only in ${KIND_STATE[kind]}`, () => {
      for (const state of CASE_STATES) {
        expect(caseSessionRefusal(state, kind) === null).toBe(state === KIND_STATE[kind]);
      }
    });
  }
  it('refuses every session on a case that was re-listed, naming the new case', () => {
    for (const state of CASE_STATES) {
      for (const kind of SESSION_KINDS) {
        expect(caseSessionRefusal(state, kind, 12)).toBe('本案件已重新列入，见案件 12；请在新案件中组织测评');
      }
    }
  });
  it('says why in Chinese', () => {
    expect(caseSessionRefusal('rectifying', 'self_evaluation')).toBe(
      '案件当前为“整顿中”，村级自评须在“村级自评”阶段组织',
    );
  });
});

describe('lights', () => {
  const base: LightInput = {
    state: 'rectifying',
    deadline: '2026-06-30',
    openProblemDeadlines: [],
    lastTransition: null,
    stateSince: '2026-01-01',
    relistedAs: null,
  };
  const light = (over: Partial<LightInput>) => lightOf({ ...base, ...over }, TODAY);

  it('is red from the day after the deadline, yellow on the day and within 14 days, green at 15', () => {
    expect(light({ deadline: '2026-03-09' })).toEqual({ color: 'red', reason: '整改期限已过 1 天' });
    expect(light({ deadline: TODAY })).toEqual({ color: 'yellow', reason: '今天是整改期限' });
    expect(light({ deadline: '2026-03-24' })).toEqual({ color: 'yellow', reason: '距整改期限还有 14 天' });
    expect(light({ deadline: '2026-03-25' })).toEqual({ color: 'green', reason: '按期推进' });
  });

  it('is red for an overdue open problem, yellow for one due within 7 days, green at 8', () => {
    expect(light({ openProblemDeadlines: ['2026-03-09', '2026-03-01', TODAY] })).toEqual({
      color: 'red',
      reason: '2 项问题逾期未销号',
    });
    expect(light({ openProblemDeadlines: ['2026-03-17'] })).toEqual({
      color: 'yellow',
      reason: '1 项问题将在 7 天内到期',
    });
    expect(light({ openProblemDeadlines: ['2026-03-18'] })).toEqual({ color: 'green', reason: '按期推进' });
  });

  it('is yellow after a return, red still wins', () => {
    const lastTransition = { action: 'return', reason: '台账不全' };
    expect(light({ lastTransition })).toEqual({ color: 'yellow', reason: '验收未通过，已退回整改：台账不全' });
    expect(light({ lastTransition, deadline: '2026-03-01' }).color).toBe('red');
    expect(light({ lastTransition: { action: 'start', reason: null } }).color).toBe('green');
  });

  it('applies the same to listed and village_evaluation', () => {
    expect(light({ state: 'listed', deadline: '2026-03-09' }).color).toBe('red');
    expect(light({ state: 'village_evaluation', deadline: '2026-03-20' }).color).toBe('yellow');
  });

  it('is yellow after more than 30 days waiting for a level, green at 30', () => {
    expect(light({ state: 'applied', stateSince: '2026-02-08' })).toEqual({ color: 'green', reason: '待乡镇初验' });
    expect(light({ state: 'applied', stateSince: '2026-02-07' })).toEqual({
      color: 'yellow',
      reason: '待乡镇初验已 31 天',
    });
    expect(light({ state: 'township_check', stateSince: TODAY }).reason).toBe('待乡镇初验');
    expect(light({ state: 'county_acceptance', stateSince: TODAY }).reason).toBe('待县级验收');
    expect(light({ state: 'city_review', stateSince: '2026-01-01' })).toEqual({
      color: 'yellow',
      reason: '待市级复盘已 68 天',
    });
    // a deadline passed while waiting for a level does not turn it red: the village has done its part
    expect(light({ state: 'applied', stateSince: TODAY, deadline: '2026-01-01' }).color).toBe('green');
  });

  it('is green once exited or under look-back, yellow when relisted', () => {
    expect(light({ state: 'exited', deadline: '2020-01-01' })).toEqual({ color: 'green', reason: '已退出' });
    expect(light({ state: 'monitoring' })).toEqual({ color: 'green', reason: '跟踪回头看中' });
    expect(light({ state: 'monitoring', relistedAs: 42 })).toEqual({
      color: 'yellow',
      reason: '回头看不达标，已重新列入（案件 42）',
    });
  });

  it('reads the calendar day in China time', () => {
    expect(chinaDay(new Date('2026-03-09T15:59:59Z'))).toBe('2026-03-09');
    expect(chinaDay(new Date('2026-03-09T16:00:00Z'))).toBe('2026-03-10');
  });
});
