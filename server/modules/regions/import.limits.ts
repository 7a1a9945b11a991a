// What one uploaded village list may cost to read, and the message for each limit. A real list is
// one city's villages: the largest have a few thousand rows (the benchmark file has 5,000 rows, 1.2
// MB of XML, about 10 times compressed; exceljs reads it in 0.25 s with 18 MB of heap). Every
// limit leaves such a file far inside and refuses a file before it can cost more than a few seconds
// of one core and a few hundred MB of one worker thread's memory.
import { AppError } from '../../errors.ts';

export interface ImportLimits {
  /** rows of the sheet (CSV records, or `<row>` elements over all worksheets of an XLSX) */
  maxRows: number;
  /** cells (CSV fields; XLSX `<c>` elements plus the area of merged ranges) */
  maxCells: number;
  /** sum of the uncompressed sizes an XLSX's ZIP directory declares */
  maxUncompressedBytes: number;
  /** uncompressed ÷ compressed size of the whole XLSX, checked once it declares more than 1 MiB */
  maxRatio: number;
  /** files inside the XLSX */
  maxEntries: number;
  /** wall time of one parse in its worker thread, start-up included */
  timeoutMs: number;
  /** the worker thread's V8 heap (resourceLimits.maxOldGenerationSizeMb) */
  memoryMb: number;
}

export const IMPORT_LIMITS: ImportLimits = {
  maxRows: 20_000,
  maxCells: 200_000,
  maxUncompressedBytes: 50 * 1024 * 1024,
  maxRatio: 100,
  maxEntries: 1_000,
  timeoutMs: 30_000,
  memoryMb: 512,
};

/** One parse at a time (a parse may use a core and `memoryMb`); two more may wait for it. */
export const PARSE_PARALLEL = 1;
export const PARSE_QUEUE = 2;

const MIB = 1024 * 1024;
const tooBig = (message: string) => new AppError('PAYLOAD_TOO_LARGE', message);
const mib = (bytes: number) => (bytes / MIB).toFixed(bytes < 10 * MIB ? 1 : 0);

export const limitError = {
  uncompressed: (declared: number, limits: ImportLimits) =>
    tooBig(
      Number.isFinite(declared)
        ? `文件解压后约 ${mib(declared)} MB，超过 ${mib(limits.maxUncompressedBytes)} MB 的上限，请拆分后再导入`
        : `文件解压后超过 ${mib(limits.maxUncompressedBytes)} MB 的上限，请拆分后再导入`,
    ),
  ratio: (ratio: number, limits: ImportLimits) =>
    tooBig(`文件的压缩比约为 ${Math.round(ratio)} 倍，超过 ${limits.maxRatio} 倍的上限，不像正常的表格文件，未导入`),
  entries: (entries: number, limits: ImportLimits) =>
    tooBig(`该 .xlsx 文件内含 ${entries} 个部件，超过 ${limits.maxEntries} 个的上限，不像正常的表格文件，未导入`),
  rows: (limits: ImportLimits) => tooBig(`文件超过 ${limits.maxRows} 行的上限，请拆分后再导入`),
  cells: (limits: ImportLimits) => tooBig(`文件超过 ${limits.maxCells} 个单元格的上限，请拆分后再导入`),
  time: (limits: ImportLimits) => tooBig(`读取文件超过 ${limits.timeoutMs / 1000} 秒的上限，已中止，请拆分后再导入`),
  memory: (limits: ImportLimits) => tooBig(`读取文件所需内存超过 ${limits.memoryMb} MB 的上限，已中止，请拆分后再导入`),
  busy: (retryAfterSeconds: number) =>
    new AppError('RATE_LIMITED', `服务器正在读取其他导入文件，请 ${retryAfterSeconds} 秒后再试`, { retryAfterSeconds }),
};
