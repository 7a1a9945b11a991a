// Turns the bytes of an uploaded village list into a grid of text cells, each row numbered as the
// spreadsheet shows it (the first line is row 1). CSV is decoded as UTF-8 (with or without BOM),
// UTF-16 with BOM, or, when the bytes are not valid UTF-8, as GB18030 (what Chinese Excel writes
// for "CSV (逗号分隔)"). XLSX is read with exceljs, first worksheet only.
import { parse as parseCsv } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { AppError } from '../../errors.ts';

export interface GridRow {
  /** 1-based row number as the spreadsheet shows it */
  number: number;
  cells: string[];
}

/** Declared uncompressed size above which an XLSX is refused before exceljs inflates it. */
const MAX_XLSX_UNCOMPRESSED = 200 * 1024 * 1024;

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

export async function readGrid(filename: string, bytes: Buffer): Promise<GridRow[]> {
  if (bytes.length === 0) throw invalidFile('文件为空');
  return fileKind(filename, bytes) === 'xlsx' ? readXlsx(bytes) : readCsv(bytes);
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

function readCsv(bytes: Buffer): GridRow[] {
  const text = decodeText(bytes).replace(/^\uFEFF/, '');
  if (text.includes('\u0000')) throw invalidFile('无法识别文件内容：不是文本格式的 CSV');
  const firstLine = text.slice(0, text.search(/\r?\n|$/));
  // Excel's "Unicode 文本" is tab separated; everything else here is comma separated.
  const delimiter = (firstLine.match(/\t/g)?.length ?? 0) > (firstLine.match(/,/g)?.length ?? 0) ? '\t' : ',';
  let records: string[][];
  try {
    records = parseCsv(text, {
      delimiter,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: false,
    }) as string[][];
  } catch (err) {
    const line = (err as { lines?: number }).lines;
    throw invalidFile(`CSV 格式错误${line ? `（约第 ${line} 行）` : ''}：请检查引号是否成对`);
  }
  // Empty lines stay in the list, so record i is spreadsheet row i + 1.
  return records.map((cells, i) => ({ number: i + 1, cells }));
}

async function readXlsx(bytes: Buffer): Promise<GridRow[]> {
  const size = declaredUncompressedSize(bytes);
  if (size !== null && size > MAX_XLSX_UNCOMPRESSED) throw invalidFile('该 .xlsx 文件解压后过大，无法导入');
  const workbook = new ExcelJS.Workbook();
  try {
    if (size === null) throw new Error('no central directory');
    await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
  } catch {
    throw invalidFile('无法读取该 .xlsx 文件，请确认文件未损坏');
  }
  const sheet = workbook.worksheets[0];
  if (!sheet) throw invalidFile('该 .xlsx 文件中没有工作表');
  const rows: GridRow[] = [];
  sheet.eachRow({ includeEmpty: false }, (row, number) => {
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

/**
 * Sum of the uncompressed sizes the ZIP central directory declares (null when it cannot be read;
 * Infinity for ZIP64). A cheap guard against a zip bomb before exceljs inflates it all in memory.
 */
export function declaredUncompressedSize(zip: Buffer): number | null {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]), zip.length - 22);
  if (eocd < 0 || eocd < zip.length - 65_557) return null;
  const entries = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  let total = 0;
  for (let i = 0; i < entries; i++) {
    if (at + 46 > zip.length || zip.readUInt32LE(at) !== 0x02014b50) return null;
    const size = zip.readUInt32LE(at + 24);
    if (size === 0xffffffff) return Infinity;
    total += size;
    at += 46 + zip.readUInt16LE(at + 28) + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
  }
  return total;
}
