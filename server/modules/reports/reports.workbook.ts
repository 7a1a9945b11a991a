// Sheets to XLSX bytes with exceljs: header row bold, shaded and frozen, an autofilter over it,
// column widths and number formats from the sheet's columns.
import ExcelJS from 'exceljs';
import type { Sheet } from './reports.rules.ts';

export async function workbookBytes(sheets: Sheet[], now: Date): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = '村级整顿满意度测评';
  wb.created = now;
  for (const sheet of sheets) {
    const ws = wb.addWorksheet(sheet.name, { views: [{ state: 'frozen', ySplit: 1 }] });
    ws.columns = sheet.columns.map((c) => ({
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
    ws.addRows(sheet.rows);
    ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: sheet.columns.length } };
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}
