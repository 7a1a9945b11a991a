// The residents table pasted from Excel or typed: one village a line, 村名 and 人数 (comma, Chinese
// comma, tab or semicolon between; quotes around a cell allowed). The lines are read by the same
// rules as an uploaded file (server/modules/schedule/residents.rules.ts); names are matched to
// villages by the caller.
import {
  readResidents,
  type ResidentsTable,
  type TableLine,
} from '../../../../server/modules/schedule/residents.rules.ts';

const unquote = (cell: string) =>
  cell
    .trim()
    .replace(/^"(.*)"$/, '$1')
    .replace(/""/g, '"')
    .trim();

export function pastedLines(text: string): TableLine[] {
  return text
    .replace(/^\uFEFF/, '')
    .split(/\r\n|\r|\n/)
    .map((raw, i) => ({ number: i + 1, cells: raw.split(/[,，\t;；]/).map(unquote) }));
}

export function parseResidentsText(text: string): ResidentsTable {
  return readResidents(pastedLines(text));
}
