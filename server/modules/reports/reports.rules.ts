// What the spreadsheets hold, as pure functions: the columns of each sheet (Chinese headers,
// widths, formats), one row per record, the dates in China time, and the download's file name.
// Percentages come from results.rules percentText (integer arithmetic).
import { GRADE_LABEL } from '../cases/cases.rules.ts';
import type { CaseSummary } from '../cases/cases.schemas.ts';
import { KIND_LABEL, STATUS_LABEL, type SessionKind, type SessionStatus } from '../sessions/sessions.rules.ts';
import { resultsView, type SessionResult } from '../tallies/results.rules.ts';
import { OUTCOME_LABEL } from '../tallies/tallies.rules.ts';

export type Cell = string | number | Date | null;

export interface Column {
  header: string;
  /** in characters */
  width: number;
  /** Excel number format for dates and decimals */
  format?: string;
}

export interface Sheet {
  name: string;
  columns: Column[];
  rows: Cell[][];
}

const DATE = 'yyyy-mm-dd';
const DATE_TIME = 'yyyy-mm-dd hh:mm';
const CHINA_OFFSET_MS = 8 * 3600 * 1000;

/**
 * An instant as a spreadsheet date showing China time. Spreadsheet dates have no zone: exceljs
 * writes a Date's UTC fields, so the instant is shifted by +8 h (China keeps no summer time).
 */
export function chinaDateTime(iso: string | Date): Date {
  return new Date(new Date(iso).getTime() + CHINA_OFFSET_MS);
}

/** A calendar date YYYY-MM-DD as a spreadsheet date. */
export function calendarDate(day: string): Date {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d));
}

/** Today in China, YYYY-MM-DD. */
export function chinaToday(now: Date): string {
  return chinaDateTime(now).toISOString().slice(0, 10);
}

export const LIGHT_LABEL = { red: '红灯', yellow: '黄灯', green: '绿灯' } as const;

export const CASE_COLUMNS: Column[] = [
  { header: '案件编号', width: 9 },
  { header: '年度', width: 7 },
  { header: '整顿工作', width: 26 },
  { header: '乡镇', width: 14 },
  { header: '村', width: 14 },
  { header: '整顿类型', width: 30 },
  { header: '当前状态', width: 13 },
  { header: '亮灯', width: 7 },
  { header: '亮灯原因', width: 34 },
  { header: '整改期限', width: 12, format: DATE },
  { header: '堡垒指数', width: 9 },
  { header: '问题数', width: 7 },
  { header: '未销号问题', width: 10 },
  { header: '上一轮案件', width: 10 },
  { header: '最近更新', width: 17, format: DATE_TIME },
];

export function caseRow(c: CaseSummary): Cell[] {
  return [
    c.id,
    c.campaignYear,
    c.campaignTitle,
    c.townshipName,
    c.villageName,
    c.types.join('、'),
    c.stateLabel,
    LIGHT_LABEL[c.light.color],
    c.light.reason,
    calendarDate(c.deadline),
    c.fortressGrade ? GRADE_LABEL[c.fortressGrade] : null,
    c.problemCount,
    c.openProblems,
    c.previousCaseId,
    chinaDateTime(c.updatedAt),
  ];
}

export const PROBLEM_COLUMNS: Column[] = [
  { header: '案件编号', width: 9 },
  { header: '乡镇', width: 14 },
  { header: '村', width: 14 },
  { header: '问题', width: 50 },
  { header: '责任人', width: 14 },
  { header: '整改时限', width: 12, format: DATE },
  { header: '状态', width: 8 },
  { header: '销号时间', width: 17, format: DATE_TIME },
];

export interface ProblemRecord {
  caseId: number;
  description: string;
  owner: string;
  /** YYYY-MM-DD */
  deadline: string;
  status: 'open' | 'done';
  doneAt: Date | null;
}

export const PROBLEM_STATUS_LABEL = { open: '未销号', done: '已销号' } as const;

export function problemRow(p: ProblemRecord, c: CaseSummary): Cell[] {
  return [
    p.caseId,
    c.townshipName,
    c.villageName,
    p.description,
    p.owner,
    calendarDate(p.deadline),
    PROBLEM_STATUS_LABEL[p.status],
    p.doneAt ? chinaDateTime(p.doneAt) : null,
  ];
}

export const SESSION_COLUMNS: Column[] = [
  { header: '编号', width: 7 },
  { header: '乡镇', width: 14 },
  { header: '村', width: 14 },
  { header: '测评名称', width: 26 },
  { header: '类型', width: 10 },
  { header: '状态', width: 8 },
  { header: '在村人数', width: 9 },
  { header: '发放', width: 7 },
  { header: '已用', width: 7 },
  { header: '有效票', width: 8 },
  { header: '线上', width: 7 },
  { header: '纸质', width: 7 },
  { header: '满意人数', width: 9 },
  { header: '判定', width: 9 },
  { header: '判定规则', width: 60 },
  { header: '还差人数', width: 9 },
  { header: '结束时间', width: 17, format: DATE_TIME },
  { header: '结果指纹', width: 66 },
  { header: '案件编号', width: 9 },
];

/** A closed or certified session with the result written at its close. */
export interface ClosedSession {
  id: number;
  townshipName: string;
  villageName: string;
  title: string;
  kind: SessionKind;
  status: SessionStatus;
  closedAt: Date;
  result: SessionResult;
  resultHash: Buffer;
  caseId: number | null;
}

export function sessionRow(s: ClosedSession): Cell[] {
  const r = s.result;
  return [
    s.id,
    s.townshipName,
    s.villageName,
    s.title,
    KIND_LABEL[s.kind],
    STATUS_LABEL[s.status],
    r.residentsPresent,
    r.issued,
    r.used,
    r.ballots,
    r.online,
    r.paper,
    r.verdict.satisfied,
    OUTCOME_LABEL[r.verdict.outcome],
    r.verdict.rule,
    r.verdict.needed,
    chinaDateTime(s.closedAt),
    s.resultHash.toString('hex'),
    s.caseId,
  ];
}

export const OPTION_COLUMNS: Column[] = [
  { header: '测评编号', width: 9 },
  { header: '村', width: 14 },
  { header: '测评名称', width: 26 },
  { header: '题号', width: 6 },
  { header: '题目', width: 50 },
  { header: '选项', width: 12 },
  { header: '票数', width: 7 },
  { header: '占比(%)', width: 9, format: '0.0' },
];

/** One row per choice question × option; the percentage of the question's answers, one decimal. */
export function optionRows(s: ClosedSession): Cell[][] {
  const rows: Cell[][] = [];
  resultsView(s.result).questions.forEach((q, i) => {
    // text questions have no options; their comments stay on the printed result sheet
    for (const o of q.options) {
      rows.push([s.id, s.villageName, s.title, i + 1, q.text, o.label, o.count, Number(o.percent)]);
    }
  });
  return rows;
}

/** Content-Disposition for a download: an ASCII fallback and the Chinese name (RFC 5987/6266). */
export function attachment(name: string, asciiName: string): string {
  return `attachment; filename="${asciiName}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}
