// The register as a spreadsheet, as pure functions: one row per village with the page's columns
// (Chinese headers), one per township with its counts, and the year's rules in words.
import { GRADE_LABEL } from '../grading/grading.rules.ts';
import type { Cell, Column } from '../reports/reports.rules.ts';
import { LEVEL_LABEL, PREVENTION_LABEL, RISK_TYPE_LABEL } from '../risk/risk.rules.ts';
import { MISSING_LABEL } from '../screening/screening.rules.ts';
import { REGISTER_OUTCOME_LABEL, STAGE_LABEL, type TownshipCounts } from './identification.rules.ts';
import type { RegisterVillage } from './identification.schemas.ts';

export const REGISTER_COLUMNS: Column[] = [
  { header: '县', width: 12 },
  { header: '乡镇', width: 14 },
  { header: '村', width: 14 },
  { header: '排查情况', width: 11 },
  { header: '堡垒指数得分', width: 11 },
  { header: '堡垒指数等次', width: 11 },
  { header: '风险等级', width: 9 },
  { header: '风险类型', width: 34 },
  { header: '部门报送（件）', width: 13 },
  { header: '认定阶段', width: 15 },
  { header: '认定结果', width: 11 },
  { header: '防控措施等级', width: 11 },
  { header: '整顿案件编号', width: 11 },
];

export function registerRow(countyName: string, v: RegisterVillage): Cell[] {
  return [
    countyName,
    v.townshipName,
    v.villageName,
    v.state === 'screened' ? '已排查' : MISSING_LABEL[v.state],
    v.fortress?.score ?? null,
    v.fortress ? GRADE_LABEL[v.fortress.grade] : '未评定',
    v.risk ? `${LEVEL_LABEL[v.risk.level]}风险` : null,
    v.risk ? v.risk.types.map((t) => RISK_TYPE_LABEL[t]).join('、') || '无存在项' : null,
    v.reports,
    v.decision ? STAGE_LABEL[v.decision.stage] : '未提名',
    v.decision ? REGISTER_OUTCOME_LABEL[v.decision.outcome] : null,
    v.preventionLevel ? PREVENTION_LABEL[v.preventionLevel] : null,
    v.caseId,
  ];
}

export const TOWNSHIP_COLUMNS: Column[] = [
  { header: '乡镇', width: 14 },
  { header: '村数', width: 7 },
  { header: '已排查', width: 8 },
  { header: '强村', width: 7 },
  { header: '中等村', width: 8 },
  { header: '弱村', width: 7 },
  { header: '未评定', width: 8 },
  { header: '高风险', width: 8 },
  { header: '中风险', width: 8 },
  { header: '低风险', width: 8 },
  { header: '软弱涣散村', width: 11 },
  { header: '重点防控村', width: 11 },
  { header: '部门报送（件）', width: 13 },
];

export function townshipRow(t: TownshipCounts, screened: number): Cell[] {
  return [
    t.name,
    t.villages,
    screened,
    t.grade.strong,
    t.grade.middle,
    t.grade.weak,
    t.grade.none,
    t.level.high,
    t.level.middle,
    t.level.low,
    t.outcome.rectify,
    t.outcome.prevent,
    t.reports,
  ];
}

export const RULE_COLUMNS: Column[] = [
  { header: '县', width: 12 },
  { header: '堡垒指数等次规则', width: 70 },
  { header: '风险等级规则', width: 90 },
];
