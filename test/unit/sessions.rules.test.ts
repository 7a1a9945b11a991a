import { describe, expect, it } from 'vitest';
import { ROLES, type Role } from '../../server/lib/access.ts';
import { defaultQuestionnaire, type Questionnaire } from '../../server/modules/sessions/questionnaire.ts';
import { questionnaireProblems, ruleSetProblems } from '../../server/modules/sessions/questionnaire.rules.ts';
import {
  ACTION_STATES,
  mayCreate,
  refusal,
  SESSION_KINDS,
  SESSION_STATUSES,
  type SessionAction,
  type SessionKind,
  type SessionStatus,
} from '../../server/modules/sessions/sessions.rules.ts';
import { defaultRuleSet, type RuleSet } from '../../server/modules/tallies/tallies.rules.ts';

// The expectations are written out here independently of the implementation's tables.
const ACTIONS: SessionAction[] = [
  'view',
  'edit',
  'confirm_residents',
  'issue_slips',
  'void_batch',
  'paper',
  'open',
  'close',
  'certify',
  'void',
];

const STATES: Record<SessionAction, SessionStatus[]> = {
  view: ['draft', 'open', 'closed', 'certified', 'void'],
  edit: ['draft'],
  confirm_residents: ['draft'],
  issue_slips: ['draft', 'open'],
  void_batch: ['draft', 'open'],
  paper: ['open'],
  open: ['draft'],
  close: ['open'],
  certify: ['closed'],
  void: ['draft', 'open', 'closed'],
};

const RUNS: Record<Role, SessionKind[]> = {
  admin: [],
  village: ['self_evaluation'],
  township: ['self_evaluation', 'township_check'],
  county: ['self_evaluation', 'township_check', 'county_callback', 'look_back'],
  city: ['self_evaluation', 'township_check', 'county_callback', 'look_back'],
  department: [],
};

function roleAllows(role: Role, kind: SessionKind, action: SessionAction, status: SessionStatus): boolean {
  if (role === 'admin' || role === 'department') return false;
  if (action === 'view') return true;
  if (action === 'confirm_residents') return ['township', 'county', 'city'].includes(role);
  if (action === 'void' && role === 'village') return kind === 'self_evaluation' && status === 'draft';
  return RUNS[role].includes(kind);
}

describe('who may do what to a session, in which state', () => {
  it('answers every role × kind × action × state as the table says: role first (403), then state (409)', () => {
    let checked = 0;
    for (const role of ROLES) {
      for (const kind of SESSION_KINDS) {
        for (const action of ACTIONS) {
          for (const status of SESSION_STATUSES) {
            const got = refusal(role, kind, action, status);
            if (!roleAllows(role, kind, action, status))
              expect(got, `${role} ${kind} ${action} ${status}`).toEqual({ reason: 'role' });
            else if (!STATES[action].includes(status))
              expect(got?.reason, `${role} ${kind} ${action} ${status}`).toBe('state');
            else expect(got, `${role} ${kind} ${action} ${status}`).toBeNull();
            checked++;
          }
        }
      }
    }
    expect(checked).toBe(ROLES.length * 4 * 10 * 5);
  });

  it('moves draft → open → closed → certified, and to void only from the three states before certified', () => {
    expect(ACTION_STATES.open).toEqual({ from: ['draft'], to: 'open' });
    expect(ACTION_STATES.close).toEqual({ from: ['open'], to: 'closed' });
    expect(ACTION_STATES.certify).toEqual({ from: ['closed'], to: 'certified' });
    expect(ACTION_STATES.void).toEqual({ from: ['draft', 'open', 'closed'], to: 'void' });
    const exits = (s: SessionStatus) => Object.values(ACTION_STATES).filter((a) => a.to && a.from.includes(s));
    expect(exits('certified')).toEqual([]);
    expect(exits('void')).toEqual([]);
  });

  it('lets a village secretary void a draft but not an open or closed self-evaluation', () => {
    expect(refusal('village', 'self_evaluation', 'void', 'draft')).toBeNull();
    expect(refusal('village', 'self_evaluation', 'void', 'open')).toEqual({ reason: 'role' });
    expect(refusal('village', 'self_evaluation', 'void', 'closed')).toEqual({ reason: 'role' });
    expect(refusal('township', 'self_evaluation', 'void', 'open')).toBeNull();
  });

  it('lets only township, county and city confirm the residents present', () => {
    expect(refusal('village', 'self_evaluation', 'confirm_residents', 'draft')).toEqual({ reason: 'role' });
    expect(refusal('township', 'self_evaluation', 'confirm_residents', 'draft')).toBeNull();
    expect(refusal('county', 'county_callback', 'confirm_residents', 'draft')).toBeNull();
    expect(refusal('admin', 'self_evaluation', 'confirm_residents', 'draft')).toEqual({ reason: 'role' });
  });

  it('names the state in a Chinese message when the state is wrong', () => {
    expect(refusal('township', 'self_evaluation', 'edit', 'open')).toEqual({
      reason: 'state',
      message: '只有草稿状态的测评可以修改；测评开始后问卷和规则即冻结',
    });
    expect(refusal('county', 'look_back', 'close', 'void')).toEqual({ reason: 'state', message: '该测评已作废' });
  });

  it('lets each role create only the kinds it runs', () => {
    for (const role of ROLES) {
      for (const kind of SESSION_KINDS)
        expect(mayCreate(role, kind), `${role} ${kind}`).toBe(RUNS[role].includes(kind));
    }
  });
});

const edited = (change: (q: Questionnaire) => void): Questionnaire => {
  const q = defaultQuestionnaire();
  change(q);
  return q;
};

describe('an edited questionnaire', () => {
  it('accepts the default template', () => {
    expect(questionnaireProblems(defaultQuestionnaire())).toEqual([]);
    expect(ruleSetProblems(defaultRuleSet(), defaultQuestionnaire())).toEqual([]);
  });

  it('rejects duplicate question ids and malformed ids', () => {
    const q = edited((x) => {
      (x.questions[1] as { id: string }).id = 'q1';
      (x.questions[2] as { id: string }).id = 'Q-3';
    });
    expect(questionnaireProblems(q)).toEqual([
      { field: 'questionnaire.questions.2.id', message: '题目编号须以小写字母开头，只含小写字母、数字和下划线' },
      { field: 'questionnaire.questions', message: '题目编号 q1 重复' },
    ]);
  });

  it('rejects a choice question with fewer than two options, duplicate options or blank labels', () => {
    const q = edited((x) => {
      const first = x.questions[0]!;
      first.options = [{ id: 'yes', label: '是' }];
      const second = x.questions[1]!;
      second.options = [
        { id: 'a', label: ' ' },
        { id: 'a', label: '乙' },
      ];
    });
    expect(questionnaireProblems(q)).toEqual([
      { field: 'questionnaire.questions.0.options', message: '选择题须有 2–10 个选项' },
      { field: 'questionnaire.questions.1.options.0.label', message: '选项文字须为 1–32 字，且首尾无空格' },
      { field: 'questionnaire.questions.1.options', message: '选项编号 a 重复' },
    ]);
  });

  it('rejects blank or over-long question text and a text question with options or a limit above 300', () => {
    const q = edited((x) => {
      x.questions[0]!.text = '   ';
      x.questions[1]!.text = '字'.repeat(301);
      x.questions[10]!.options = [{ id: 'a', label: '甲' }];
      x.questions[10]!.maxLength = 301;
    });
    expect(questionnaireProblems(q)).toEqual([
      { field: 'questionnaire.questions.0.text', message: '题目文字须为 1–300 字' },
      { field: 'questionnaire.questions.1.text', message: '题目文字须为 1–300 字' },
      { field: 'questionnaire.questions.10.options', message: '填空题不能有选项' },
      { field: 'questionnaire.questions.10.maxLength', message: '字数上限须在 1–300 之间' },
    ]);
  });

  it('accepts text of exactly 300 characters and rejects an empty questionnaire', () => {
    expect(questionnaireProblems(edited((x) => (x.questions[0]!.text = '字'.repeat(300))))).toEqual([]);
    expect(questionnaireProblems({ header: '', questions: [] })).toEqual([
      { field: 'questionnaire.questions', message: '问卷须有 1–50 道题' },
    ]);
  });
});

describe('a rule set read against its questionnaire', () => {
  const rules = (change: Partial<RuleSet>): RuleSet => ({ ...defaultRuleSet(), ...change });
  const q = defaultQuestionnaire();

  it('requires the gate question to exist and to be a choice question', () => {
    const problem = [{ field: 'rules.gateQuestionId', message: '判定题必须是问卷中的一道选择题' }];
    expect(ruleSetProblems(rules({ gateQuestionId: 'q99' }), q)).toEqual(problem);
    expect(ruleSetProblems(rules({ gateQuestionId: 'q11' }), q)).toEqual(problem);
    expect(ruleSetProblems(rules({ gateQuestionId: 'q2' }), q)).toEqual([]);
  });

  it('requires satisfied options that exist on the gate question, never 不了解', () => {
    expect(ruleSetProblems(rules({ satisfiedOptionIds: ['satisfied', 'party_member'] }), q)).toEqual([
      { field: 'rules.satisfiedOptionIds', message: '判定题没有选项 party_member' },
    ]);
    expect(ruleSetProblems(rules({ satisfiedOptionIds: ['satisfied', 'unknown'] }), q)).toEqual([
      { field: 'rules.satisfiedOptionIds', message: '“不了解”不能计为满意' },
    ]);
    expect(ruleSetProblems(rules({ satisfiedOptionIds: [] }), q)).toEqual([
      { field: 'rules.satisfiedOptionIds', message: '至少要有一个计为满意的选项' },
    ]);
    expect(ruleSetProblems(rules({ satisfiedOptionIds: ['satisfied', 'satisfied'] }), q)).toEqual([
      { field: 'rules.satisfiedOptionIds', message: '计为满意的选项重复' },
    ]);
  });

  it('requires a dissatisfied option of the gate that is not counted as satisfied', () => {
    const problem = [{ field: 'rules.dissatisfiedOptionId', message: '不满意选项必须是判定题中未计为满意的一个选项' }];
    expect(ruleSetProblems(rules({ dissatisfiedOptionId: 'basic' }), q)).toEqual(problem);
    expect(ruleSetProblems(rules({ dissatisfiedOptionId: 'nope' }), q)).toEqual(problem);
  });

  it('accepts a minimum rate of 1 to 100 whole percent only', () => {
    const problem = [{ field: 'rules.minRatePercent', message: '最低满意率须为 1–100 之间的整数' }];
    for (const ok of [1, 80, 100, null]) expect(ruleSetProblems(rules({ minRatePercent: ok }), q)).toEqual([]);
    for (const bad of [0, 101, 80.5, -5]) expect(ruleSetProblems(rules({ minRatePercent: bad }), q)).toEqual(problem);
  });
});
