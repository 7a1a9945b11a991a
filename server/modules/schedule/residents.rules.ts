// The residents present of a batch read from a table, as pure functions shared by the console (text
// pasted from Excel) and the server (an uploaded .xlsx or .csv, read in a worker thread): one village
// a row, its name and its count. A first row naming its columns (村名 / 村, 到会人数 / 在村人数 / 人数,
// optionally 乡镇) says where they are; without one the name is the first column and the count the
// second. Names are matched to villages by the caller (a name may be written 乡镇/村名).

/** One row of a sheet: its 1-based number as the spreadsheet shows it, and its cells as text. */
export interface TableLine {
  number: number;
  cells: string[];
}

export interface ResidentsRow {
  row: number;
  name: string;
  residents: number;
}

export interface ResidentsProblem {
  row: number;
  message: string;
}

export interface ResidentsTable {
  rows: ResidentsRow[];
  problems: ResidentsProblem[];
}

export const MAX_RESIDENTS = 100000;
/** The columns of the template the console offers. */
export const TEMPLATE_HEADER = ['村名', '到会人数'] as const;

const NAME_HEADER = /^(村名|村|村庄|村庄名称|村名称|行政村)$/;
const COUNT_HEADER = /人数$/;
const TOWNSHIP_HEADER = /^(乡镇|乡|镇|乡镇名称|街道)$/;

interface Columns {
  name: number;
  count: number;
  township: number | null;
}

const DEFAULT_COLUMNS: Columns = { name: 0, count: 1, township: null };
/** How many rows from the top may hold the header. */
const HEADER_SEARCH = 5;

/** Full-width digits (typed with a Chinese input method) read as digits; spaces around dropped. */
const clean = (cell: string | undefined): string =>
  (cell ?? '').replace(/[０-９]/g, (d) => String(d.charCodeAt(0) - 0xff10)).trim();

/** The columns named by a header row, or null when `cells` is not one. */
function headerColumns(cells: readonly string[]): Columns | null {
  const at = (re: RegExp) => cells.findIndex((c) => re.test(clean(c)));
  const name = at(NAME_HEADER);
  const count = at(COUNT_HEADER);
  if (name >= 0 && count >= 0) {
    const township = at(TOWNSHIP_HEADER);
    return { name, count, township: township >= 0 ? township : null };
  }
  return null;
}

function countProblem(name: string, count: string): string | null {
  if (count === '') return `缺少${name}的人数`;
  if (!/^\d{1,6}$/.test(count) || Number(count) > MAX_RESIDENTS) {
    return `${name}的人数“${count}”不是 0 到 ${MAX_RESIDENTS} 的整数`;
  }
  return null;
}

/** Reads the rows of a table; blank rows are skipped, every other row is read or named in `problems`. */
export function readResidents(lines: readonly TableLine[]): ResidentsTable {
  const rows: ResidentsRow[] = [];
  const problems: ResidentsProblem[] = [];
  const filled = lines.filter((l) => l.cells.some((c) => clean(c) !== ''));
  // the header may sit under a title row or two; a first row whose second cell is no number is a
  // header too, even when its names are not ours
  const at = filled.slice(0, HEADER_SEARCH).findIndex((l) => headerColumns(l.cells) !== null);
  const first = filled[0];
  const skip = at >= 0 ? at + 1 : first && !/^\d+$/.test(clean(first.cells[1])) ? 1 : 0;
  const columns = (at >= 0 && headerColumns((filled[at] as TableLine).cells)) || DEFAULT_COLUMNS;
  const seen = new Map<string, number>();
  for (const line of filled.slice(skip)) {
    const village = clean(line.cells[columns.name]);
    const township = columns.township === null ? '' : clean(line.cells[columns.township]);
    const name = township && village && !village.includes('/') ? `${township}/${village}` : village;
    const count = clean(line.cells[columns.count]);
    const problem = name === '' ? '缺少村名' : countProblem(name, count);
    const earlier = seen.get(name);
    if (problem) problems.push({ row: line.number, message: problem });
    else if (earlier !== undefined) problems.push({ row: line.number, message: `${name}已在第 ${earlier} 行出现` });
    else {
      seen.set(name, line.number);
      rows.push({ row: line.number, name, residents: Number(count) });
    }
  }
  return { rows, problems };
}

/** The problem as shown to the official. */
export const problemText = (p: ResidentsProblem): string => `第 ${p.row} 行：${p.message}`;
