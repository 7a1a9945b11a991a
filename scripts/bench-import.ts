// npm run bench:import [-- --runs 5]
// Times the village import of issue 2 through the service (parse, check, one transaction): a
// generated file of 5,000 villages (10 counties × 25 townships × 20 villages, with codes), then the
// re-import of the same file (nothing changes), as CSV and as XLSX. Each run uses a fresh scratch
// database on DATABASE_URL's server, or on a throw-away embedded PostgreSQL with default durability
// (fsync on); the scratch databases are dropped at the end. Prints medians and the machine.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import ExcelJS from 'exceljs';
import pg from 'pg';
import { loadConfig } from '../server/config.ts';
import { createDatabase } from '../server/db/database.ts';
import { startEmbeddedPostgres } from '../server/db/embedded.ts';
import { migrate } from '../server/db/migrate.ts';
import { importVillagesFromCli } from '../server/modules/regions/import.cli.ts';
import type { ImportFile } from '../server/modules/regions/import.service.ts';
import { withDatabase } from '../test/helpers/throwaway-db.ts';

const { values: args } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
const RUNS = Number(args.runs);

function villageRows(): string[][] {
  const rows = [['县', '乡镇', '村', '统计代码']];
  for (let c = 1; c <= 10; c++) {
    for (let t = 1; t <= 25; t++) {
      for (let v = 1; v <= 20; v++) {
        const code = `6101${String(c).padStart(2, '0')}${String(t).padStart(3, '0')}${String(v).padStart(3, '0')}`;
        rows.push([`第${c}县`, `第${c}县第${t}镇`, `第${t}镇第${v}村`, code]);
      }
    }
  }
  return rows;
}

async function files(): Promise<{ csv: ImportFile; xlsx: ImportFile }> {
  const rows = villageRows();
  const csv = Buffer.from(rows.map((r) => r.join(',')).join('\r\n'), 'utf8');
  const workbook = new ExcelJS.Workbook();
  workbook.addWorksheet('村').addRows(rows);
  const xlsx = Buffer.from(await workbook.xlsx.writeBuffer());
  const dir = os.tmpdir();
  fs.writeFileSync(path.join(dir, 'vre-villages-5000.csv'), csv);
  fs.writeFileSync(path.join(dir, 'vre-villages-5000.xlsx'), xlsx);
  return { csv: { filename: 'villages.csv', bytes: csv }, xlsx: { filename: 'villages.xlsx', bytes: xlsx } };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer().on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

async function admin(serverUrl: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: withDatabase(serverUrl, 'postgres') });
  await client.connect();
  await client.query(statement);
  await client.end();
}

interface Sample {
  /** wall-clock milliseconds */
  wall: number;
  /** CPU milliseconds of this Node process (parsing, checking, the pg driver) */
  cpu: number;
  /** CPU milliseconds of the PostgreSQL backends serving the scratch database (NaN when remote) */
  pgCpu: number;
}

/**
 * CPU time (ms) used so far by each backend connected to `dbName`, read from /proc: on a busy
 * shared machine wall time mostly measures the neighbours; CPU time measures our work.
 */
async function backendCpu(serverUrl: string, dbName: string): Promise<Map<number, number>> {
  const client = new pg.Client({ connectionString: withDatabase(serverUrl, 'postgres') });
  await client.connect();
  const { rows } = await client.query<{ pid: number }>('select pid from pg_stat_activity where datname = $1', [dbName]);
  await client.end();
  const ticks = new Map<number, number>();
  for (const { pid } of rows) {
    try {
      const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
      ticks.set(pid, (Number(fields[11]) + Number(fields[12])) * 10); // utime + stime, 100 ticks/s
    } catch {
      return new Map([[0, NaN]]);
    }
  }
  return ticks;
}

async function timed<T>(serverUrl: string, dbName: string, work: () => Promise<T>): Promise<[T, Sample]> {
  const pg0 = await backendCpu(serverUrl, dbName);
  const cpu0 = process.cpuUsage();
  const start = process.hrtime.bigint();
  const value = await work();
  const wall = Number(process.hrtime.bigint() - start) / 1e6;
  const cpu = process.cpuUsage(cpu0);
  let pgCpu = 0;
  for (const [pid, ms] of await backendCpu(serverUrl, dbName)) pgCpu += ms - (pg0.get(pid) ?? 0);
  return [value, { wall, cpu: (cpu.user + cpu.system) / 1000, pgCpu }];
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

/** One fresh database: import the file, then import it again. */
async function run(serverUrl: string, name: string, file: ImportFile): Promise<[Sample, Sample]> {
  await admin(serverUrl, `drop database if exists ${name}`);
  await admin(serverUrl, `create database ${name}`);
  const url = withDatabase(serverUrl, name);
  await migrate(url);
  const database = createDatabase(url, { max: 4 });
  try {
    const [first, importing] = await timed(serverUrl, name, () =>
      importVillagesFromCli(database.db, file, { city: '基准市' }),
    );
    if (first.result.created.villages !== 5000) throw new Error('expected 5,000 new villages');
    const [again, reimporting] = await timed(serverUrl, name, () =>
      importVillagesFromCli(database.db, file, { city: '基准市' }),
    );
    if (again.result.unchanged !== 5000) throw new Error('expected 5,000 unchanged rows');
    return [importing, reimporting];
  } finally {
    await database.close();
    await admin(serverUrl, `drop database if exists ${name}`);
  }
}

async function describeServer(serverUrl: string): Promise<string> {
  const client = new pg.Client({ connectionString: withDatabase(serverUrl, 'postgres') });
  await client.connect();
  const version = (await client.query<{ v: string }>('select version() as v')).rows[0]?.v;
  const fsync = (await client.query<{ fsync: string }>('show fsync')).rows[0]?.fsync;
  await client.end();
  return `${version} (${config.databaseUrl ? 'DATABASE_URL' : 'embedded'}, fsync=${fsync})`;
}

const config = loadConfig();
let serverUrl = config.databaseUrl;
let stop = async (): Promise<void> => undefined;
let dir: string | undefined;
if (!serverUrl) {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vre-bench-import-'));
  fs.chmodSync(dir, 0o755);
  const embedded = await startEmbeddedPostgres({ dataDir: dir, port: await freePort() });
  serverUrl = embedded.url;
  stop = embedded.stop;
}
try {
  const { csv, xlsx } = await files();
  const steps = ['CSV import', 'CSV re-import', 'XLSX import', 'XLSX re-import'];
  const samples = new Map<string, Sample[]>(steps.map((step) => [step, []]));
  const name = `vre_bench_import_${process.pid}`;
  for (let i = 0; i < RUNS; i++) {
    const round = [...(await run(serverUrl, name, csv)), ...(await run(serverUrl, name, xlsx))];
    round.forEach((sample, k) => samples.get(steps[k] as string)?.push(sample));
    process.stderr.write(`run ${i + 1}/${RUNS}: ${round.map((x) => x.wall.toFixed(0)).join(' / ')} ms\n`);
  }
  const kib = (b: Buffer) => `${(b.length / 1024).toFixed(0)} KiB`;
  console.log(
    `5,000 villages (10 counties × 25 townships × 20 villages, with codes); ${RUNS} runs, fresh database each`,
  );
  console.log(`files: CSV ${kib(csv.bytes)}, XLSX ${kib(xlsx.bytes)}\n`);
  console.log('| step | wall, median | wall, min | wall, max | Node CPU (median) | PostgreSQL CPU (median) |');
  console.log('|---|---|---|---|---|---|');
  for (const [step, xs] of samples) {
    const wall = xs.map((x) => x.wall);
    const cpu = [median(xs.map((x) => x.cpu)), median(xs.map((x) => x.pgCpu))];
    const cells = [median(wall), Math.min(...wall), Math.max(...wall), ...cpu];
    console.log(`| ${step} | ${cells.map((x) => `${x.toFixed(0)} ms`).join(' | ')} |`);
  }
  const free = execFileSync('free', ['-h'], { encoding: 'utf8' }).split('\n')[1]?.replace(/\s+/g, ' ');
  const load = os.loadavg().map((x) => x.toFixed(1));
  console.log(
    `\nnproc ${os.availableParallelism()}; free -h: ${free}; Node ${process.version}; load ${load.join(' ')}`,
  );
  console.log(`PostgreSQL: ${await describeServer(serverUrl)}`);
} finally {
  await stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
}
