// Validation of an edited questionnaire and rule set, beyond what the request schema can say:
// unique ids, a gate question that exists and is a choice, options that make sense, and a rule set
// that names options of the gate question. Each problem names its field, in Chinese.
import type { FieldError } from '../../errors.ts';
import type { RuleSet } from '../tallies/tallies.rules.ts';
import type { Question, Questionnaire } from './questionnaire.ts';

export const QUESTIONNAIRE_LIMITS = {
  questions: 50,
  options: 10,
  textLength: 300,
  headerLength: 300,
  labelLength: 32,
} as const;

export const ID_PATTERN = /^[a-z][a-z0-9_]{0,31}$/;

const UNKNOWN_OPTION_LABEL = '不了解';

function duplicates(ids: string[]): string[] {
  return ids.filter((id, i) => ids.indexOf(id) !== i);
}

function optionProblems(q: Question, at: string): FieldError[] {
  const out: FieldError[] = [];
  if (q.type === 'text') {
    if (q.options.length > 0) out.push({ field: `${at}.options`, message: '填空题不能有选项' });
    const max = q.maxLength ?? QUESTIONNAIRE_LIMITS.textLength;
    if (!Number.isInteger(max) || max < 1 || max > QUESTIONNAIRE_LIMITS.textLength) {
      out.push({ field: `${at}.maxLength`, message: `字数上限须在 1–${QUESTIONNAIRE_LIMITS.textLength} 之间` });
    }
    return out;
  }
  if (q.maxLength !== undefined) out.push({ field: `${at}.maxLength`, message: '选择题没有字数上限' });
  if (q.options.length < 2 || q.options.length > QUESTIONNAIRE_LIMITS.options) {
    out.push({ field: `${at}.options`, message: `选择题须有 2–${QUESTIONNAIRE_LIMITS.options} 个选项` });
  }
  q.options.forEach((o, j) => {
    if (!ID_PATTERN.test(o.id)) out.push({ field: `${at}.options.${j}.id`, message: '选项编号格式不正确' });
    const label = o.label.trim();
    if (label.length === 0 || label !== o.label || label.length > QUESTIONNAIRE_LIMITS.labelLength) {
      out.push({
        field: `${at}.options.${j}.label`,
        message: `选项文字须为 1–${QUESTIONNAIRE_LIMITS.labelLength} 字，且首尾无空格`,
      });
    }
  });
  for (const id of new Set(duplicates(q.options.map((o) => o.id)))) {
    out.push({ field: `${at}.options`, message: `选项编号 ${id} 重复` });
  }
  return out;
}

export function questionnaireProblems(q: Questionnaire): FieldError[] {
  const out: FieldError[] = [];
  if (q.header.length > QUESTIONNAIRE_LIMITS.headerLength) {
    out.push({ field: 'questionnaire.header', message: `说明文字不能超过 ${QUESTIONNAIRE_LIMITS.headerLength} 字` });
  }
  if (q.questions.length < 1 || q.questions.length > QUESTIONNAIRE_LIMITS.questions) {
    out.push({ field: 'questionnaire.questions', message: `问卷须有 1–${QUESTIONNAIRE_LIMITS.questions} 道题` });
  }
  q.questions.forEach((question, i) => {
    const at = `questionnaire.questions.${i}`;
    if (!ID_PATTERN.test(question.id)) {
      out.push({ field: `${at}.id`, message: '题目编号须以小写字母开头，只含小写字母、数字和下划线' });
    }
    const text = question.text.trim();
    if (text.length === 0 || text.length > QUESTIONNAIRE_LIMITS.textLength) {
      out.push({ field: `${at}.text`, message: `题目文字须为 1–${QUESTIONNAIRE_LIMITS.textLength} 字` });
    }
    out.push(...optionProblems(question, at));
  });
  for (const id of new Set(duplicates(q.questions.map((x) => x.id)))) {
    out.push({ field: 'questionnaire.questions', message: `题目编号 ${id} 重复` });
  }
  return out;
}

/** Problems of a rule set read against the questionnaire it will decide. */
export function ruleSetProblems(rules: RuleSet, q: Questionnaire): FieldError[] {
  const gate = q.questions.find((x) => x.id === rules.gateQuestionId);
  if (!gate || gate.type !== 'choice') {
    return [{ field: 'rules.gateQuestionId', message: '判定题必须是问卷中的一道选择题' }];
  }
  const out: FieldError[] = [];
  const option = (id: string) => gate.options.find((o) => o.id === id);
  if (rules.satisfiedOptionIds.length === 0) {
    out.push({ field: 'rules.satisfiedOptionIds', message: '至少要有一个计为满意的选项' });
  }
  if (duplicates(rules.satisfiedOptionIds).length > 0) {
    out.push({ field: 'rules.satisfiedOptionIds', message: '计为满意的选项重复' });
  }
  for (const id of rules.satisfiedOptionIds) {
    const o = option(id);
    if (!o) out.push({ field: 'rules.satisfiedOptionIds', message: `判定题没有选项 ${id}` });
    else if (o.label === UNKNOWN_OPTION_LABEL) {
      out.push({ field: 'rules.satisfiedOptionIds', message: '“不了解”不能计为满意' });
    }
  }
  if (!option(rules.dissatisfiedOptionId) || rules.satisfiedOptionIds.includes(rules.dissatisfiedOptionId)) {
    out.push({ field: 'rules.dissatisfiedOptionId', message: '不满意选项必须是判定题中未计为满意的一个选项' });
  }
  if (!['strict', 'inclusive'].includes(rules.majority)) {
    out.push({ field: 'rules.majority', message: '过半数规则只能是 strict 或 inclusive' });
  }
  if (!['residents_present', 'valid_ballots'].includes(rules.denominator)) {
    out.push({ field: 'rules.denominator', message: '分母只能是在村人数或有效票数' });
  }
  const rate = rules.minRatePercent;
  if (rate !== null && (!Number.isInteger(rate) || rate < 1 || rate > 100)) {
    out.push({ field: 'rules.minRatePercent', message: '最低满意率须为 1–100 之间的整数' });
  }
  return out;
}
