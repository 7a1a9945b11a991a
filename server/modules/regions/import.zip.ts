// An XLSX is a ZIP archive. Before anything is inflated, its central directory says how large each
// part claims to be: a zip bomb is refused from those numbers alone. The parts are then inflated
// with the declared size as a hard ceiling, so a directory that lies cannot make them larger, and
// the worksheets are counted (rows, cells, merged areas) before exceljs builds an object per cell.
// Offsets are read as JSZip (inside exceljs) reads them, so the bytes checked are the bytes parsed.
import { inflateRawSync } from 'node:zlib';
import { AppError } from '../../errors.ts';
import { limitError, type ImportLimits } from './import.limits.ts';

export interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  /** where the local header starts, already corrected for bytes prepended to the archive */
  localOffset: number;
}

const EOCD = Buffer.from([0x50, 0x4b, 0x05, 0x06]);
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const ZIP64 = 0xffffffff;
const MIB = 1024 * 1024;
const MAX_COLUMNS = 16_384;

export const corruptXlsx = (): AppError => new AppError('INVALID_FILE', '无法读取该 .xlsx 文件，请确认文件未损坏');

/** The central directory's entries; throws the "corrupt" error when it cannot be read. */
export function readDirectory(zip: Buffer): ZipEntry[] {
  const eocd = zip.lastIndexOf(EOCD, zip.length - 22);
  if (eocd < 0 || eocd < zip.length - 65_557) throw corruptXlsx();
  const count = zip.readUInt16LE(eocd + 10);
  const dirSize = zip.readUInt32LE(eocd + 12);
  const dirOffset = zip.readUInt32LE(eocd + 16);
  if (count === 0xffff || dirOffset === ZIP64) return [zip64Entry()];
  const shift = eocd - (dirOffset + dirSize);
  if (shift < 0) throw corruptXlsx();
  const entries: ZipEntry[] = [];
  let at = dirOffset + shift;
  for (let i = 0; i < count; i++) {
    if (at + 46 > zip.length || zip.readUInt32LE(at) !== CENTRAL) throw corruptXlsx();
    const nameLength = zip.readUInt16LE(at + 28);
    const size = zip.readUInt32LE(at + 24);
    const compressedSize = zip.readUInt32LE(at + 20);
    const localOffset = zip.readUInt32LE(at + 42);
    if (size === ZIP64 || compressedSize === ZIP64 || localOffset === ZIP64) return [zip64Entry()];
    entries.push({
      name: zip.toString('utf8', at + 46, at + 46 + nameLength),
      method: zip.readUInt16LE(at + 10),
      compressedSize,
      size,
      localOffset: localOffset + shift,
    });
    at += 46 + nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
  }
  return entries;
}

/** ZIP64 is for archives past 4 GiB: for us, simply too large. */
const zip64Entry = (): ZipEntry => ({ name: '', method: 8, compressedSize: 1, size: Infinity, localOffset: 0 });

/** The checks on declared numbers only: nothing is inflated. */
export function checkDirectory(zip: Buffer, limits: ImportLimits): ZipEntry[] {
  const entries = readDirectory(zip);
  if (entries.length > limits.maxEntries) throw limitError.entries(entries.length, limits);
  const declared = entries.reduce((sum, e) => sum + e.size, 0);
  if (declared > limits.maxUncompressedBytes) throw limitError.uncompressed(declared, limits);
  const ratio = declared / zip.length;
  if (declared > MIB && ratio > limits.maxRatio) throw limitError.ratio(ratio, limits);
  return entries;
}

/** One part's bytes, inflated no further than its declared size. */
export function inflateEntry(zip: Buffer, entry: ZipEntry): Buffer {
  const at = entry.localOffset;
  if (at + 30 > zip.length || zip.readUInt32LE(at) !== LOCAL) throw corruptXlsx();
  const start = at + 30 + zip.readUInt16LE(at + 26) + zip.readUInt16LE(at + 28);
  const data = zip.subarray(start, start + entry.compressedSize);
  if (data.length !== entry.compressedSize) throw corruptXlsx();
  let out: Buffer;
  if (entry.method === 0) out = data;
  else if (entry.method !== 8) throw corruptXlsx();
  else {
    try {
      // maxOutputLength stops zlib as soon as the output passes it: a lying size inflates no further.
      out =
        entry.size === 0
          ? inflateRawSync(data, { maxOutputLength: 1 })
          : inflateRawSync(data, { maxOutputLength: entry.size });
    } catch {
      throw corruptXlsx();
    }
  }
  if (out.length !== entry.size) throw corruptXlsx();
  return out;
}

export interface SheetCounts {
  rows: number;
  cells: number;
}

const WORKSHEET = /^xl\/worksheets\/[^/]+\.xml$/i;
// Element names may carry a namespace prefix (<x:row>); attributes are matched loosely on purpose:
// an overcount can only refuse a file, never let a larger one through.
const ROW = /<(?:[A-Za-z_][\w.-]*:)?row[\s/>]/g;
const CELL = /<(?:[A-Za-z_][\w.-]*:)?c[\s/>]/g;
const MERGE = /<(?:[A-Za-z_][\w.-]*:)?mergeCell\s[^>]*?ref\s*=\s*["']([A-Za-z]+)(\d+)(?::([A-Za-z]+)(\d+))?["']/g;
const COL = /<(?:[A-Za-z_][\w.-]*:)?col\s[^>]*?max\s*=\s*["'](\d+)["']/g;

const columnNumber = (letters: string) =>
  [...letters.toUpperCase()].reduce((n, ch) => n * 26 + ch.charCodeAt(0) - 64, 0);

/** Counts what exceljs would build for one worksheet's XML: rows, and cells including merged areas. */
export function countSheet(xml: string): SheetCounts {
  const count = (re: RegExp) => xml.match(re)?.length ?? 0;
  let cells = count(CELL);
  for (const m of xml.matchAll(MERGE)) {
    const [, c1 = 'A', r1 = '1', c2 = c1, r2 = r1] = m;
    const width = Math.abs(columnNumber(c2) - columnNumber(c1)) + 1;
    cells += width * (Math.abs(Number(r2) - Number(r1)) + 1);
  }
  // exceljs makes one column object for every column up to the largest <col max>; a sheet has 16,384.
  for (const m of xml.matchAll(COL)) if (Number(m[1]) > MAX_COLUMNS) throw corruptXlsx();
  return { rows: count(ROW), cells };
}

/** Inflates every part within its declared size and counts the worksheets against the limits. */
export function checkParts(zip: Buffer, entries: ZipEntry[], limits: ImportLimits): void {
  let rows = 0;
  let cells = 0;
  for (const entry of entries) {
    const bytes = inflateEntry(zip, entry);
    if (!WORKSHEET.test(entry.name)) continue;
    const counts = countSheet(bytes.toString('latin1'));
    rows += counts.rows;
    cells += counts.cells;
    if (rows > limits.maxRows) throw limitError.rows(limits);
    if (cells > limits.maxCells) throw limitError.cells(limits);
  }
}
