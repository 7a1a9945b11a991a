// The worker thread of one import parse (started by import.pool.ts): reads the grid and posts it
// back, or posts the refusal. Anything else (a bug) is posted as unexpected and becomes a 500.
import { parentPort, workerData } from 'node:worker_threads';
import { AppError } from '../../errors.ts';
import type { ImportLimits } from './import.limits.ts';
import { readGrid, type GridRow } from './import.parse.ts';

export interface ParseRequest {
  filename: string;
  bytes: Uint8Array;
  limits: ImportLimits;
}

export type ParseReply =
  | { ok: true; rows: GridRow[] }
  | { ok: false; code: AppError['code']; message: string }
  | { ok: false; unexpected: string };

async function run({ filename, bytes, limits }: ParseRequest): Promise<ParseReply> {
  try {
    const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return { ok: true, rows: await readGrid(filename, buffer, limits) };
  } catch (err) {
    if (err instanceof AppError) return { ok: false, code: err.code, message: err.message };
    return { ok: false, unexpected: err instanceof Error ? (err.stack ?? err.message) : String(err) };
  }
}

if (parentPort) parentPort.postMessage(await run(workerData as ParseRequest));
