// The plain slip tokens of a batch exist only in the reply that issued them. The console keeps
// that reply in this tab's memory so the sheet can be printed (again, after a paper jam) until the
// tab is closed or reloaded, or the official clears it; nothing is written to any storage.
import type { IssuedBatch, Questionnaire } from '../../lib/api.ts';

export interface SheetData {
  sessionId: number;
  /** the batch's place in its session: 第 1 批 … */
  number: number;
  title: string;
  villageName: string;
  questionnaire: Questionnaire;
  issued: IssuedBatch;
}

const sheets = new Map<number, SheetData>();

export function keepSheet(sheet: SheetData): void {
  sheets.set(sheet.issued.batch.id, sheet);
}

export function sheetOf(sessionId: number, batchId: number): SheetData | null {
  const sheet = sheets.get(batchId);
  return sheet && sheet.sessionId === sessionId ? sheet : null;
}

export function forgetSheet(batchId: number): void {
  sheets.delete(batchId);
}

/** Batches of this session whose sheet can still be printed in this tab. */
export function printableBatches(sessionId: number): number[] {
  return [...sheets.values()].filter((s) => s.sessionId === sessionId).map((s) => s.issued.batch.id);
}
