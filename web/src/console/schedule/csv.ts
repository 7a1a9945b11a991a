// The residents table pasted or read from a CSV file: one village a line, 村名,在村人数 (a header
// line is skipped; comma, Chinese comma, tab or semicolon between; quotes around a cell allowed).
// Pure: names are matched to villages by the caller.

export interface CsvRow {
  /** 1-based line in the text */
  line: number;
  name: string;
  residents: number;
}

export interface CsvResult {
  rows: CsvRow[];
  /** lines that could not be read, with the reason in words */
  problems: string[];
}

const unquote = (cell: string) =>
  cell
    .trim()
    .replace(/^"(.*)"$/, '$1')
    .replace(/""/g, '"')
    .trim();

export function parseResidentsCsv(text: string): CsvResult {
  const rows: CsvRow[] = [];
  const problems: string[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  lines.forEach((raw, i) => {
    const line = i + 1;
    if (raw.trim() === '') return;
    const cells = raw.split(/[,，\t;；]/).map(unquote);
    const [name = '', count = ''] = cells;
    if (line === 1 && !/^\d+$/.test(count)) return; // the header: 村名,在村人数
    if (name === '') return void problems.push(`第 ${line} 行：缺少村名`);
    if (!/^\d{1,6}$/.test(count) || Number(count) > 100000) {
      return void problems.push(`第 ${line} 行：${name} 的在村人数“${count}”不是 0 到 100000 的整数`);
    }
    rows.push({ line, name, residents: Number(count) });
  });
  return { rows, problems };
}
