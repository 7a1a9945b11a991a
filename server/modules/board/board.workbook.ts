// Rows to a streamed XLSX (exceljs' streaming writer): each row is committed as it is added, so the
// server holds one row of the sheet at a time, not the workbook. Header row bold, shaded and frozen.
import ExcelJS from 'exceljs';
import { PassThrough, type Readable } from 'node:stream';
import type { Cell, Column } from '../reports/reports.rules.ts';

export interface StreamedSheet {
  name: string;
  columns: Column[];
  rows: Iterable<Cell[]>;
}

/** The workbook's bytes as a stream; writing starts at once and ends when the last row is out. */
export function streamWorkbook(sheet: StreamedSheet, now: Date): Readable {
  const out = new PassThrough();
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  wb.creator = '村级整顿满意度测评';
  wb.created = now;
  const write = async () => {
    const ws = wb.addWorksheet(sheet.name, { views: [{ state: 'frozen', ySplit: 1 }] });
    ws.columns = sheet.columns.map((c) => ({ header: c.header, width: c.width }));
    const header = ws.getRow(1);
    header.font = { bold: true };
    header.eachCell((cell) => {
      cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE5E7EB' } };
    });
    header.commit();
    ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: sheet.columns.length } };
    for (const row of sheet.rows) ws.addRow(row).commit();
    ws.commit();
    await wb.commit();
  };
  write().catch((err: unknown) => out.destroy(err as Error));
  return out;
}
