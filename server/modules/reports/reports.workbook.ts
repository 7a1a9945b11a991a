// Sheets to XLSX with exceljs: header row bold, shaded and frozen, an autofilter over it, column
// widths and number formats from the sheet's columns. Every export streams (streamWorkbook, also the
// board's): a county's workbook built in memory took 1.18 GB and stalled the event loop for seconds.
import { PassThrough, type Readable } from 'node:stream';
import type ExcelJS from 'exceljs';
import type { Cell, Sheet } from './reports.rules.ts';

/** The longest the writer holds the event loop before letting requests through (ms). */
const SLICE_MS = 5;

/** Writes the sheets of a streamed workbook, one after another. */
export interface BookWriter {
  /** One sheet from batches of records, each giving its rows: every row is committed (and leaves memory) as it comes. */
  sheet<T>(def: Omit<Sheet, 'rows'>, batches: AsyncIterable<T[]>, rowsOf: (record: T) => Cell[][]): Promise<void>;
}

/**
 * The workbook as a stream: `write` adds the sheets while the bytes already flow to the reader.
 * Memory holds one batch of rows, not the workbook: after each batch the writer waits until the
 * reader has taken what was written (a slow download slows the database reads, it does not pile
 * up) and yields to the event loop. A reader that goes away ends `write` with an error.
 */
export function streamWorkbook(now: Date, write: (book: BookWriter) => Promise<void>): Readable {
  const out = new PassThrough();
  loadExcel()
    .then((excel) => writeBook(excel, out, now, write))
    .catch((err: unknown) => out.destroy(err instanceof Error ? err : new Error(String(err))));
  return out;
}

// exceljs is loaded on the first export, not with the app: it is the heaviest module the server
// has (about half a second to load), and most processes (and every test file's app) never export.
let excelModule: Promise<typeof ExcelJS> | undefined;
function loadExcel(): Promise<typeof ExcelJS> {
  excelModule ??= import('exceljs').then((m) => m.default);
  return excelModule;
}

async function writeBook(
  excel: typeof ExcelJS,
  out: PassThrough,
  now: Date,
  write: (book: BookWriter) => Promise<void>,
): Promise<void> {
  const wb = new excel.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  wb.creator = '村级整顿满意度测评';
  wb.created = now;
  const book: BookWriter = {
    async sheet(def, batches, rowsOf) {
      const ws = wb.addWorksheet(def.name, { views: [{ state: 'frozen', ySplit: 1 }] });
      ws.columns = def.columns.map((c) => ({
        header: c.header,
        width: c.width,
        ...(c.format ? { style: { numFmt: c.format } } : {}),
      }));
      const header = ws.getRow(1);
      header.font = { bold: true };
      header.alignment = { vertical: 'middle' };
      header.eachCell((cell) => {
        cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE5E7EB' } };
      });
      header.commit();
      ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: def.columns.length } };
      let slice = performance.now();
      for await (const records of batches) {
        for (const record of records) {
          for (const row of rowsOf(record)) ws.addRow(row).commit();
          // a batch of sessions is thousands of per-question rows: give the loop back every few ms
          if (performance.now() - slice >= SLICE_MS) {
            await readerCaughtUp(out);
            slice = performance.now();
          }
        }
        await readerCaughtUp(out);
        slice = performance.now();
      }
      ws.commit();
    },
  };
  await write(book);
  await wb.commit();
}

/** Resolves after a turn of the event loop, once the reader has taken what was written; rejects if it went away. */
async function readerCaughtUp(out: PassThrough): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
  if (out.writableNeedDrain && !out.destroyed) {
    await new Promise<void>((resolve) => {
      const done = () => {
        out.off('drain', done).off('close', done);
        resolve();
      };
      out.once('drain', done).once('close', done);
    });
  }
  if (out.destroyed) throw new Error('导出已中断：下载方已断开');
}
