// The spreadsheet of a township's village files, as pure functions: the columns (乡镇, 村, then one
// per catalogue field, headed 「户数（户）」), a village's row, the template's instructions, and the
// import's reading of an uploaded grid with every problem named by row and column. The export is
// also a valid import: a township exports, fills in, and imports the same file back.
import type { GridRow } from '../regions/import.parse.ts';
import { FileError, type RowError } from '../regions/import.rules.ts';
import type { Cell, Column } from '../reports/reports.rules.ts';
import {
  ASPECTS,
  crossChecks,
  displayValue,
  FIELDS,
  fieldHeading,
  parseCell,
  type Completeness,
  type FieldDef,
  type FileData,
} from './villagefiles.rules.ts';

const width = (f: FieldDef): number => (f.kind === 'note' ? 40 : Math.max(10, fieldHeading(f).length * 2 + 2));

export const FILE_COLUMNS: Column[] = [
  { header: '乡镇', width: 14 },
  { header: '村', width: 14 },
  ...FIELDS.map((f) => ({ header: fieldHeading(f), width: width(f) })),
  { header: '完整度（%）', width: 12 },
];

/** One village's row: counts as numbers, money as 万元 text (exact), notes as text; '' where not filled. */
export function fileRow(townshipName: string, villageName: string, data: FileData, c: Completeness | null): Cell[] {
  return [
    townshipName,
    villageName,
    ...FIELDS.map((f): Cell => {
      const v = data[f.key];
      if (v === undefined) return null;
      return f.kind === 'count' ? (v as number) : displayValue(f, v);
    }),
    c === null ? null : c.percent,
  ];
}

export const HELP_COLUMNS: Column[] = [
  { header: '列名', width: 26 },
  { header: '所属方面', width: 18 },
  { header: '填写要求', width: 52 },
  { header: '计入完整度', width: 10 },
  { header: '次年沿用', width: 10 },
];

function requirement(f: FieldDef): string {
  if (f.kind === 'money') return '金额，单位万元，最多 4 位小数（精确到元）；不填写表示未填';
  if (f.kind === 'text') return `文字，最多 ${f.max} 个字`;
  if (f.kind === 'note') return `文字说明，最多 ${f.max} 个字（选填）`;
  return `${f.min} 至 ${f.max} 之间的整数（${f.unit}）`;
}

/** The template's second sheet: what each column means. */
export function helpRows(): Cell[][] {
  const aspect = new Map(ASPECTS.map((a) => [a.key, a.label]));
  return [
    ['村', '', '本乡镇的村名，须与系统中的村名一致；每村一行', '', ''],
    ...FIELDS.map((f): Cell[] => [
      fieldHeading(f),
      aspect.get(f.aspect) ?? '',
      f.hint ? `${requirement(f)}。${f.hint}` : requirement(f),
      f.required ? '是' : '否',
      f.carry ? '是' : '否',
    ]),
    ['说明', '', '党员数应等于三个年龄段党员之和；经营性收入不大于村集体经济收入；已化解数不大于矛盾纠纷数', '', ''],
    [
      '说明',
      '',
      '导入时每行覆盖该村本年度档案的全部项目，留空的单元格即为未填；各项目都未填写的村不导入；乡镇、完整度列不读取',
      '',
      '',
    ],
  ];
}

const clean = (s: string | undefined): string =>
  (s ?? '').replace(/^[\s\u200b-\u200d\u2060\ufeff]+|[\s\u200b-\u200d\u2060\ufeff]+$/g, '');
const norm = (s: string): string =>
  clean(s)
    .replace(/[\s*＊]/g, '')
    .replace(/\(/g, '（')
    .replace(/\)/g, '）');

interface Header {
  row: number;
  village: number;
  fields: Map<string, number>;
}

/** The header: the first of the first ten rows with a 村 column. Every field's column must be there. */
export function findHeader(grid: readonly GridRow[]): Header {
  const byHeading = new Map<string, FieldDef>();
  for (const f of FIELDS) {
    byHeading.set(norm(fieldHeading(f)), f);
    byHeading.set(norm(f.label), f);
  }
  for (const g of grid.slice(0, 10)) {
    const headings = g.cells.map(norm);
    const village = headings.findIndex((h) => h === '村' || h === '村名');
    if (village < 0) continue;
    const fields = new Map<string, number>();
    headings.forEach((h, i) => {
      const f = byHeading.get(h);
      if (!f) return;
      if (fields.has(f.key)) throw new FileError(`表头（第 ${g.number} 行）中「${fieldHeading(f)}」列出现了两次`);
      fields.set(f.key, i);
    });
    const missing = FIELDS.filter((f) => !fields.has(f.key)).map(fieldHeading);
    if (missing.length > 0) {
      throw new FileError(`表头（第 ${g.number} 行）缺少列：${missing.join('、')}。请使用下载的模板`);
    }
    return { row: g.number, village, fields };
  }
  throw new FileError('找不到表头：应有「村」列和各档案项目的列，请使用下载的模板');
}

export interface ImportRow {
  row: number;
  villageId: number;
  villageName: string;
  data: FileData;
}

/**
 * Every data row checked: the village is one of the township's (by name, once), each cell is a
 * valid value of its field, and the fields agree with each other. Blank rows, and rows whose
 * fields are all blank (a village left as the template had it), are skipped.
 */
export function checkGrid(
  grid: readonly GridRow[],
  villages: readonly { id: number; name: string }[],
  townshipName: string,
): { rows: ImportRow[]; errors: RowError[] } {
  const header = findHeader(grid);
  const data = grid.filter((g) => g.number > header.row && g.cells.some((c) => clean(c) !== ''));
  if (data.length === 0) throw new FileError('文件中除表头外没有数据行');
  const byName = new Map(villages.map((v) => [v.name, v]));
  const seen = new Map<number, number>();
  const rows: ImportRow[] = [];
  const errors: RowError[] = [];
  for (const g of data) {
    // a village's row left blank (the template as downloaded) is not in the file: it clears nothing
    if ([...header.fields.values()].every((i) => clean(g.cells[i]) === '')) continue;
    const before = errors.length;
    const name = clean(g.cells[header.village]);
    const village = byName.get(name);
    if (name === '') errors.push({ row: g.number, column: '村', message: '村名不能为空' });
    else if (!village) errors.push({ row: g.number, column: '村', message: `${townshipName}没有名为「${name}」的村` });
    else if (seen.has(village.id)) {
      errors.push({
        row: g.number,
        column: '村',
        message: `「${name}」在第 ${seen.get(village.id)} 行已出现：每村只能有一行`,
      });
    } else seen.set(village.id, g.number);
    const values: FileData = {};
    for (const f of FIELDS) {
      const r = parseCell(f, g.cells[header.fields.get(f.key) as number] ?? '');
      if (r.error) errors.push({ row: g.number, column: fieldHeading(f), message: r.error });
      else if (r.value !== undefined) values[f.key] = r.value;
    }
    if (errors.length === before) {
      const cross = crossChecks(values);
      for (const e of cross) {
        const f = FIELDS.find((x) => x.key === e.field) as FieldDef;
        errors.push({ row: g.number, column: fieldHeading(f), message: e.message });
      }
    }
    if (errors.length === before && village)
      rows.push({ row: g.number, villageId: village.id, villageName: name, data: values });
  }
  if (rows.length === 0 && errors.length === 0) {
    throw new FileError('文件中没有填写任何村的档案项目：每村一行，未填写的村不导入');
  }
  return { rows, errors };
}
