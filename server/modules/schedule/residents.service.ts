// The residents present of a batch read from an uploaded .xlsx or .csv (what township officials
// keep). The file is read by the village import's worker pool (regions/import.pool: off the event
// loop, within limits, one parse at a time for both), then by residents.rules; nothing is stored,
// and the console matches the names to villages as it does for a pasted table.
import { readGridInWorker } from '../regions/import.pool.ts';
import { IMPORT_LIMITS, type ImportLimits } from '../regions/import.limits.ts';
import { readResidents, type ResidentsTable } from './residents.rules.ts';

/** A batch is at most a few hundred villages: a residents file is far smaller than a village list. */
export const RESIDENTS_LIMITS: ImportLimits = {
  ...IMPORT_LIMITS,
  maxRows: 2_000,
  maxCells: 40_000,
  maxUncompressedBytes: 10 * 1024 * 1024,
  timeoutMs: 10_000,
  memoryMb: 256,
};
export const RESIDENTS_BODY_LIMIT = 2 * 1024 * 1024;

export async function readResidentsFile(
  file: { filename: string; bytes: Buffer },
  limits: ImportLimits = RESIDENTS_LIMITS,
): Promise<ResidentsTable> {
  return readResidents(await readGridInWorker(file.filename, file.bytes, limits));
}
