// Pure rules of the village import: find the header, clean and check every row, and report every
// problem with the row number the spreadsheet shows and the column's name.
import type { GridRow } from './import.parse.ts';

export type Column = 'county' | 'township' | 'village' | 'code';

export interface RowError {
  /** 1-based spreadsheet row, the header included; 0 for a note about the whole file */
  row: number;
  column: string;
  message: string;
}

export interface VillageRow {
  row: number;
  county: string;
  township: string;
  village: string;
  code: string | null;
}

export interface Header {
  row: number;
  index: Partial<Record<Column, number>>;
  /** the code column's heading as written in the file (统计代码 / 区划代码 / 代码) */
  codeLabel: string;
}

/** A problem with the file as a whole (no header, no rows): answered as INVALID_FILE. */
export class FileError extends Error {}

export const NAME_MAX = 64;
export const MAX_DATA_ROWS = 50_000;
export const MAX_REPORTED_ERRORS = 1000;
const HEADER_SEARCH_ROWS = 10;

export const COLUMN_LABEL: Record<Exclude<Column, 'code'>, string> = { county: '县', township: '乡镇', village: '村' };
const COLUMN_RANK: Record<string, number> = { 县: 1, 乡镇: 2, 村: 3 };

const HEADER_ALIASES: Record<Column, readonly string[]> = {
  county: ['县', '县区', '区县', '县市区', '县名', '县名称'],
  township: ['乡镇', '乡镇街道', '乡', '镇', '街道', '乡镇名', '乡镇名称'],
  village: ['村', '村名', '村名称', '行政村', '村社区', '村居'],
  code: ['统计代码', '区划代码', '代码', '统计用区划代码', '行政区划代码', '村代码'],
};

// Besides ordinary white space, spreadsheets carry zero-width characters and non-breaking spaces.
const EDGE_SPACE = /^[\s\u200b-\u200d\u2060\ufeff]+|[\s\u200b-\u200d\u2060\ufeff]+$/g;
const CONTROL = /\p{Cc}/u;

const clean = (s: string | undefined): string => (s ?? '').replace(EDGE_SPACE, '');

function normalizeHeading(s: string): string {
  return clean(s)
    .replace(/[(（][^)）]*[)）]/g, '')
    .replace(/[\s*＊]/g, '');
}

function columnOf(heading: string): Column | undefined {
  const h = normalizeHeading(heading);
  return (Object.keys(HEADER_ALIASES) as Column[]).find((c) => HEADER_ALIASES[c].includes(h));
}

/** The header is the first row, among the first few, that names any of our columns. */
export function findHeader(grid: readonly GridRow[]): Header {
  for (const gridRow of grid.slice(0, HEADER_SEARCH_ROWS)) {
    const index: Partial<Record<Column, number>> = {};
    let codeLabel = '统计代码';
    gridRow.cells.forEach((cell, i) => {
      const column = columnOf(cell);
      if (!column) return;
      if (index[column] !== undefined) {
        throw new FileError(`表头（第 ${gridRow.number} 行）中「${clean(cell)}」列出现了两次`);
      }
      index[column] = i;
      if (column === 'code') codeLabel = clean(cell);
    });
    if (Object.keys(index).length === 0) continue;
    const missing = (['county', 'township', 'village'] as const).filter((c) => index[c] === undefined);
    if (missing.length > 0) {
      const names = missing.map((c) => COLUMN_LABEL[c]).join('、');
      throw new FileError(`表头（第 ${gridRow.number} 行）缺少必需的列：${names}`);
    }
    return { row: gridRow.number, index, codeLabel };
  }
  throw new FileError('找不到表头：第 1 行应为列名 县、乡镇、村（可选 统计代码）');
}

/** Is this a name the region table accepts once trimmed? (1–64 characters, no control characters) */
export function isValidName(value: string): boolean {
  return value !== '' && !CONTROL.test(value) && [...value].length <= NAME_MAX;
}

function checkName(value: string, row: number, column: string, errors: RowError[]): void {
  if (value === '') errors.push({ row, column, message: '不能为空' });
  else if (CONTROL.test(value)) errors.push({ row, column, message: '含有换行符或不可见字符' });
  else if ([...value].length > NAME_MAX) {
    errors.push({ row, column, message: `名称过长（${[...value].length} 个字，最多 ${NAME_MAX} 个字）` });
  }
}

function checkCode(raw: string, row: number, column: string, errors: RowError[]): string | null {
  const value = clean(raw).normalize('NFKC');
  if (value === '') return null;
  if (/^\d{6,12}$/.test(value)) return value;
  const message = /^[\d.]+e\+?\d+$/i.test(value)
    ? `代码「${value}」被 Excel 显示成了科学计数法：请把该列设为文本格式后重新保存`
    : `代码「${value}」不合法：应为 6–12 位数字`;
  errors.push({ row, column, message });
  return null;
}

const isBlank = (cells: readonly string[]): boolean => cells.every((c) => clean(c) === '');

/** One row on its own: names trimmed and checked, the code checked, the county in scope. */
function checkRow(g: GridRow, header: Header, countyName: string | undefined, errors: RowError[]): VillageRow {
  const cell = (c: Column) => (header.index[c] === undefined ? '' : (g.cells[header.index[c]] ?? ''));
  const row = g.number;
  const [county, township, village] = [clean(cell('county')), clean(cell('township')), clean(cell('village'))];
  checkName(county, row, '县', errors);
  checkName(township, row, '乡镇', errors);
  checkName(village, row, '村', errors);
  const code = checkCode(cell('code'), row, header.codeLabel, errors);
  if (countyName !== undefined && county !== '' && county !== countyName) {
    errors.push({ row, column: '县', message: `「${county}」不是您所在的县「${countyName}」，只能导入本县的村` });
  }
  return { row, county, township, village, code };
}

/**
 * Cleans every data row (names trimmed) and checks it on its own and against the other rows: a
 * village twice, or one code on two villages, is reported on the later row naming the earlier.
 * `countyName`, when given, is the one county the rows may name. Blank rows are skipped.
 */
export function checkRows(
  grid: readonly GridRow[],
  header: Header,
  countyName?: string,
): { rows: VillageRow[]; errors: RowError[] } {
  const data = grid.filter((g) => g.number > header.row && !isBlank(g.cells));
  if (data.length === 0) throw new FileError('文件中除表头外没有数据行');
  if (data.length > MAX_DATA_ROWS) throw new FileError(`文件行数过多：一次最多导入 ${MAX_DATA_ROWS} 行`);
  const rows: VillageRow[] = [];
  const errors: RowError[] = [];
  const firstOfVillage = new Map<string, number>();
  const firstOfCode = new Map<string, number>();
  for (const g of data) {
    const before = errors.length;
    const r = checkRow(g, header, countyName, errors);
    const key = `${r.county}\u0000${r.township}\u0000${r.village}`;
    const sameVillage = firstOfVillage.get(key);
    const sameCode = r.code === null ? undefined : firstOfCode.get(r.code);
    if (sameVillage !== undefined) {
      errors.push({ row: r.row, column: '村', message: `与第 ${sameVillage} 行重复：同一个村出现了两次` });
    } else if (sameCode !== undefined) {
      const message = `代码 ${r.code} 与第 ${sameCode} 行的村相同：不同的村不能使用同一代码`;
      errors.push({ row: r.row, column: header.codeLabel, message });
    }
    if (sameVillage === undefined) firstOfVillage.set(key, r.row);
    if (r.code !== null && sameCode === undefined) firstOfCode.set(r.code, r.row);
    if (errors.length === before) rows.push(r);
  }
  return { rows, errors };
}

/** Errors in spreadsheet order, at most MAX_REPORTED_ERRORS of them plus a closing note. */
export function reportErrors(errors: readonly RowError[]): RowError[] {
  const rank = (e: RowError) => COLUMN_RANK[e.column] ?? 4;
  const sorted = [...errors].sort((a, b) => a.row - b.row || rank(a) - rank(b));
  if (sorted.length <= MAX_REPORTED_ERRORS) return sorted;
  const rest = sorted.length - MAX_REPORTED_ERRORS;
  return [
    ...sorted.slice(0, MAX_REPORTED_ERRORS),
    { row: 0, column: '', message: `仅列出前 ${MAX_REPORTED_ERRORS} 处错误，另有 ${rest} 处未列出` },
  ];
}

export function rejectionMessage(count: number): string {
  return `导入文件有 ${count} 处错误，未导入任何数据`;
}
