// 部门报送 rules: the department's name, a new report's fields at their bounds, and the state machine
// of a report (submitted → dismissed | screening_requested, both final) with who may do what.
import { describe, expect, it } from 'vitest';
import { ROLES } from '../../server/lib/access.ts';
import {
  actionsFor,
  DEPARTMENTS,
  departmentName,
  nextStatus,
  refusal,
  reportProblem,
  STATUSES,
} from '../../server/modules/deptreports/deptreports.rules.ts';

const TODAY = '2026-03-01';
const ok = { category: 'petition', description: '一二三四五六七八九十', eventDate: TODAY };

describe('departmentName', () => {
  it('takes every listed department as it is', () => {
    for (const d of DEPARTMENTS) expect(departmentName(d, undefined)).toEqual({ name: d });
  });
  it('takes 其他 with a trimmed name of 1 to 32 characters, not without one', () => {
    expect(departmentName('其他', '  林业局 ')).toEqual({ name: '林业局' });
    expect(departmentName('其他', '局'.repeat(32))).toEqual({ name: '局'.repeat(32) });
    expect(departmentName('其他', '局'.repeat(33))).toMatchObject({ field: 'departmentName' });
    expect(departmentName('其他', ' ')).toEqual({ field: 'departmentName', message: '选择“其他”时请填写部门名称' });
    expect(departmentName('其他', undefined)).toMatchObject({ field: 'departmentName' });
  });
  it('refuses a name outside the list', () => {
    expect(departmentName('财政', undefined)).toEqual({ field: 'department', message: '请选择行业部门' });
  });
});

describe('reportProblem', () => {
  it('accepts 10 characters and an event today', () => {
    expect(reportProblem(ok, TODAY)).toBeNull();
  });
  it('refuses 9 characters (counted as characters, after trimming) and more than 2000', () => {
    expect(reportProblem({ ...ok, description: ' 一二三四五六七八九 ' }, TODAY)).toMatchObject({
      field: 'description',
    });
    expect(reportProblem({ ...ok, description: '字'.repeat(2000) }, TODAY)).toBeNull();
    expect(reportProblem({ ...ok, description: '字'.repeat(2001) }, TODAY)).toMatchObject({ field: 'description' });
  });
  it('refuses an unknown category', () => {
    expect(reportProblem({ ...ok, category: 'x' }, TODAY)).toEqual({ field: 'category', message: '请选择问题类别' });
  });
  it('takes an event from today back to 731 days, nothing later or earlier, and only real days', () => {
    expect(reportProblem({ ...ok, eventDate: '2026-03-02' }, TODAY)).toMatchObject({ message: '发生日期不能晚于今天' });
    expect(reportProblem({ ...ok, eventDate: '2024-02-29' }, TODAY)).toBeNull(); // 731 days before
    expect(reportProblem({ ...ok, eventDate: '2024-02-28' }, TODAY)).toMatchObject({
      message: '发生日期不能早于两年前',
    });
    expect(reportProblem({ ...ok, eventDate: '2025-02-29' }, TODAY)).toMatchObject({ field: 'eventDate' });
    expect(reportProblem({ ...ok, eventDate: '2026-3-1' }, TODAY)).toMatchObject({ field: 'eventDate' });
  });
});

describe('the state machine of a report', () => {
  it('lets only the county decide, only while submitted, to the decision’s status', () => {
    for (const role of ROLES) {
      for (const status of STATUSES) {
        for (const action of ['dismiss', 'request_screening'] as const) {
          const got = refusal(role, action, status);
          if (role !== 'county') expect(got, `${role} ${action} ${status}`).toEqual({ reason: 'role' });
          else if (status !== 'submitted') expect(got).toMatchObject({ reason: 'state' });
          else expect(got).toBeNull();
        }
      }
    }
    expect(nextStatus('dismiss')).toBe('dismissed');
    expect(nextStatus('request_screening')).toBe('screening_requested');
  });
  it('lets only the township note, in any status', () => {
    for (const role of ROLES) {
      for (const status of STATUSES) expect(refusal(role, 'note', status) === null).toBe(role === 'township');
    }
  });
  it('offers each role its actions', () => {
    expect(actionsFor('county', 'submitted')).toEqual(['dismiss', 'request_screening']);
    expect(actionsFor('county', 'dismissed')).toEqual([]);
    expect(actionsFor('township', 'screening_requested')).toEqual(['note']);
    expect(actionsFor('department', 'submitted')).toEqual([]);
    expect(actionsFor('city', 'submitted')).toEqual([]);
  });
});
