// Turns the bytes of an uploaded village list into a grid of text cells, each row numbered as the
// spreadsheet shows it (the first line is row 1). CSV is decoded as UTF-8 (with or without BOM),
// UTF-16 with BOM, or, when the bytes are not valid UTF-8, as GB18030 (what Chinese Excel writes
// for "CSV (逗号分隔)"). XLSX is read with exceljs, first worksheet only. This is the expensive part
// of an import: it runs in a worker thread (import.worker.ts), within the limits of import.limits.ts.
import { parse as parseCsv } from 'csv-parse/sync';
import type ExcelJS from 'exceljs';
import { AppError } from '../../errors.ts';
import { limitError, type ImportLimits } from './import.limits.ts';
import { checkDirectory, checkParts, corruptXlsx } from './import.zip.ts';

export interface GridRow {
  /** 1-based row number as the spreadsheet shows it */
  number: number;
  cells: string[];
}

const invalidFile = (message: string): AppError => new AppError('INVALID_FILE', message);

export type FileKind = 'csv' | 'xlsx';

/** Decides the format from the file name's extension and the first bytes. */
export function fileKind(filename: string, bytes: Buffer): FileKind {
  const ext = /\.([A-Za-z0-9]+)$/.exec(filename.trim())?.[1]?.toLowerCase();
  const isZip = bytes.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04]));
  const isOle = bytes.subarray(0, 4).equals(Buffer.from([0xd0, 0xcf, 0x11, 0xe0]));
  if (ext === 'xls' || isOle) throw invalidFile('不支持旧版 .xls 文件，请在 Excel 中另存为 .xlsx 或 CSV 后再导入');
  if (ext !== 'csv' && ext !== 'xlsx') throw invalidFile('只能导入 .csv 或 .xlsx 文件');
  if (isZip) return 'xlsx';
  if (ext === 'xlsx') throw invalidFile('该文件不是有效的 .xlsx 文件');
  return 'csv';
}

/** The checks that cost nothing (format, and an XLSX's declared sizes): run before a worker starts. */
export function precheck(filename: string, bytes: Buffer, limits: ImportLimits): FileKind {
  if (bytes.length === 0) throw invalidFile('文件为空');
  const kind = fileKind(filename, bytes);
  if (kind === 'xlsx') checkDirectory(bytes, limits);
  return kind;
}

export async function readGrid(filename: string, bytes: Buffer, limits: ImportLimits): Promise<GridRow[]> {
  return precheck(filename, bytes, limits) === 'xlsx' ? readXlsx(bytes, limits) : readCsv(bytes, limits);
}

export function decodeText(bytes: Buffer): string {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return new TextDecoder('utf-8').decode(bytes);
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes);
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder('gb18030').decode(bytes);
  }
}

class LimitReached extends Error {
  constructor(readonly error: AppError) {
    super(error.message);
  }
}

function readCsv(bytes: Buffer, limits: ImportLimits): GridRow[] {
  const text = decodeText(bytes).replace(/^\uFEFF/, '');
  if (text.includes('\u0000')) throw invalidFile('无法识别文件内容：不是文本格式的 CSV');
  const firstLine = text.slice(0, text.search(/\r?\n|$/));
  // Excel's "Unicode 文本" is tab separated; everything else here is comma separated.
  const delimiter = (firstLine.match(/\t/g)?.length ?? 0) > (firstLine.match(/,/g)?.length ?? 0) ? '\t' : ',';
  let records: string[][];
  let cells = 0;
  try {
    records = parseCsv(text, {
      delimiter,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: false,
      on_record: (record: string[], { records: n }: { records: number }) => {
        cells += record.length;
        if (n > limits.maxRows) throw new LimitReached(limitError.rows(limits));
        if (cells > limits.maxCells) throw new LimitReached(limitError.cells(limits));
        return record;
      },
    }) as string[][];
  } catch (err) {
    if (err instanceof LimitReached) throw err.error;
    const line = (err as { lines?: number }).lines;
    throw invalidFile(`CSV 格式错误${line ? `（约第 ${line} 行）` : ''}：请检查引号是否成对`);
  }
  // Empty lines stay in the list, so record i is spreadsheet row i + 1.
  return records.map((cells, i) => ({ number: i + 1, cells }));
}

async function readXlsx(bytes: Buffer, limits: ImportLimits): Promise<GridRow[]> {
  checkParts(bytes, checkDirectory(bytes, limits), limits);
  // Loaded here, not at the top: exceljs takes a second of CPU to load, which a CSV need not pay.
  const { default: Excel } = await import('exceljs');
  const workbook = new Excel.Workbook();
  try {
    await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
  } catch {
    throw corruptXlsx();
  }
  const sheet = workbook.worksheets[0];
  if (!sheet) throw invalidFile('该 .xlsx 文件中没有工作表');
  const rows: GridRow[] = [];
  let width = 0;
  sheet.eachRow({ includeEmpty: false }, (row, number) => {
    // A row's cells run from column A to its last cell: one cell far to the right makes it wide.
    width += row.cellCount;
    if (width > limits.maxCells) throw limitError.cells(limits);
    const cells: string[] = [];
    row.eachCell({ includeEmpty: true }, (cell, col) => {
      cells[col - 1] = cellText(cell);
    });
    rows.push({ number, cells: Array.from(cells, (c) => c ?? '') });
  });
  return rows;
}

function cellText(cell: ExcelJS.Cell): string {
  try {
    return cell.text ?? '';
  } catch {
    return String(cell.value ?? '');
  }
}
