// Reads an uploaded village list in a worker thread, so that a large or hostile file never holds
// the event loop that serves /api/health and the ballots. Each parse gets a fresh worker with a
// V8 heap limit and a deadline, after which it is terminated; at most PARSE_PARALLEL run at once and
// PARSE_QUEUE wait, any further upload is answered 429 at once. The format and an XLSX's declared
// sizes are checked before any worker starts (they cost nothing), so a zip bomb never reaches one.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { AppError } from '../../errors.ts';
import { limitError, PARSE_PARALLEL, PARSE_QUEUE, type ImportLimits } from './import.limits.ts';
import { precheck, type GridRow } from './import.parse.ts';
import type { ParseReply, ParseRequest } from './import.worker.ts';

// Run from sources (tsx) this file is .ts; built by tsc into dist/ it is .js, next to the worker's.
const EXT = path.extname(fileURLToPath(import.meta.url));
const WORKER_URL = new URL(`./import.worker${EXT}`, import.meta.url);

let running = 0;
const waiting: Array<() => void> = [];

async function acquire(limits: ImportLimits): Promise<void> {
  if (running < PARSE_PARALLEL) {
    running++;
    return;
  }
  if (waiting.length >= PARSE_QUEUE) {
    throw limitError.busy(Math.ceil(limits.timeoutMs / 1000));
  }
  await new Promise<void>((resolve) => waiting.push(resolve));
}

/** Hands the slot to the next waiting parse, if any. */
function release(): void {
  const next = waiting.shift();
  if (next) next();
  else running--;
}

function startWorker(request: ParseRequest, limits: ImportLimits): Worker {
  const options = {
    workerData: request,
    transferList: [request.bytes.buffer as ArrayBuffer],
    resourceLimits: { maxOldGenerationSizeMb: limits.memoryMb },
  };
  if (EXT !== '.ts') return new Worker(WORKER_URL, options);
  // Under tsx a worker does not inherit its loader (Node 20): register tsx in the worker first.
  const tsx = createRequire(import.meta.url)
    .resolve('tsx/esm/api')
    .replace(/\.cjs$/, '.mjs');
  const boot = `import(${JSON.stringify(pathToFileURL(tsx).href)}).then((tsx) => {
    tsx.register();
    return import(${JSON.stringify(WORKER_URL.href)});
  });`;
  return new Worker(boot, { ...options, eval: true });
}

function parseInWorker(request: ParseRequest, limits: ImportLimits): Promise<GridRow[]> {
  return new Promise((resolve, reject) => {
    const worker = startWorker(request, limits);
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      void worker.terminate();
      fn();
    };
    const deadline = setTimeout(() => settle(() => reject(limitError.time(limits))), limits.timeoutMs);
    worker.once('message', (reply: ParseReply) =>
      settle(() => {
        if (reply.ok) resolve(reply.rows);
        else if ('code' in reply) reject(new AppError(reply.code, reply.message));
        else reject(new Error(`import worker failed: ${reply.unexpected}`));
      }),
    );
    worker.once('error', (err: Error & { code?: string }) =>
      settle(() => reject(err.code === 'ERR_WORKER_OUT_OF_MEMORY' ? limitError.memory(limits) : err)),
    );
    worker.once('exit', (code) => settle(() => reject(new Error(`import worker exited with code ${code}`))));
  });
}

/** The grid of an uploaded file, read off the event loop within `limits`. */
export async function readGridInWorker(filename: string, bytes: Buffer, limits: ImportLimits): Promise<GridRow[]> {
  precheck(filename, bytes, limits);
  await acquire(limits);
  try {
    // A copy of its own, moved to the worker: the request's buffer may be a slice of a larger one.
    return await parseInWorker({ filename, bytes: new Uint8Array(bytes), limits }, limits);
  } finally {
    release();
  }
}
