// The board as a spreadsheet, as pure functions: the columns of the page (Chinese headers) and one
// row per village (its 村情档案 completeness, 堡垒指数 and risk level of the year beside its case), the
// latest evaluation of each kind in a group of columns, with the rule its verdict was made by in
// words (board.view puts the reply's rule table back into each verdict).
import { LIGHT_LABEL, type Cell, type Column } from '../reports/reports.rules.ts';
import { KIND_LABEL, SESSION_KINDS, STATUS_LABEL } from '../sessions/sessions.rules.ts';
import { OUTCOME_LABEL } from '../tallies/tallies.rules.ts';
import { marginText, permilleText } from './board.rules.ts';
import { fileText, fortressText, riskText, type SessionView, type VillageView } from './board.view.ts';

const KIND_COLUMNS = (kind: string): Column[] => [
  { header: `${kind}·状态`, width: 9 },
  { header: `${kind}·已投/发放/在村`, width: 16 },
  { header: `${kind}·结果`, width: 9 },
  { header: `${kind}·满意/至少需要`, width: 14 },
  { header: `${kind}·差额`, width: 11 },
  { header: `${kind}·满意率`, width: 9 },
  { header: `${kind}·判定规则`, width: 40 },
];

export const BOARD_COLUMNS: Column[] = [
  { header: '县', width: 12 },
  { header: '乡镇', width: 14 },
  { header: '村', width: 14 },
  { header: '案件状态', width: 13 },
  { header: '亮灯', width: 7 },
  { header: '亮灯原因', width: 30 },
  { header: '村情档案完整度', width: 22 },
  { header: '堡垒指数', width: 16 },
  { header: '风险等级', width: 9 },
  ...SESSION_KINDS.flatMap((k) => KIND_COLUMNS(KIND_LABEL[k])),
  { header: '下一步', width: 26 },
  { header: '由谁办理', width: 13 },
];

function sessionCells(s: SessionView | undefined): Cell[] {
  if (!s) return [null, null, null, null, null, null, null];
  const v = s.verdict;
  return [
    STATUS_LABEL[s.status],
    `${s.used}/${s.issued}/${s.residentsPresent}`,
    v ? OUTCOME_LABEL[v.outcome] : null,
    v ? `${v.satisfied}/${v.required}` : null,
    v ? marginText(v.margin) : null,
    v ? permilleText(v.ratePermille) : null,
    v ? v.rule : null,
  ];
}

/** One village's row; its county is named by the caller (the board's reply leaves it out). */
export function boardRow(countyName: string, v: VillageView): Cell[] {
  return [
    countyName,
    v.townshipName,
    v.villageName,
    v.case ? v.case.stateLabel : '未列入',
    v.case ? LIGHT_LABEL[v.case.light.color] : null,
    v.case ? v.case.light.reason : null,
    fileText(v.file),
    fortressText(v.fortress),
    riskText(v),
    ...SESSION_KINDS.flatMap((k) => sessionCells(v.latest.find((s) => s.kind === k))),
    v.nextStep?.label ?? null,
    v.nextStep?.roleLabel ?? null,
  ];
}
