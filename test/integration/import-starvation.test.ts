// Issue 8: a hostile upload must not starve the service. The real server runs as its own process;
// this test measures /api/health and ballot submits from outside it, first alone, then while
// hostile XLSX files are uploaded and refused: a zip bomb (refused from its ZIP directory) and a
// file of 100,000 cells of random text (10,000 rows × 10, 0.8 MB, half the cell limit), which
// exceljs must read in full before it is refused for having no header. Its parse costs seconds of
// CPU: on the event loop, probes wait for it.
import crypto from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { createSessionFixture, validAnswers, type SessionFixture } from '../helpers/evaluation.ts';
import { createOfficial, createRegion, TEST_PASSWORD } from '../helpers/factories.ts';
import { startServer, type ServerProcess } from '../helpers/server-process.ts';
import { deflatedPart, repeatedPart, SHEET_HEAD, SHEET_TAIL, xlsxWithSheet } from '../helpers/zip.ts';

let tdb: TestDatabase;
let fx: SessionFixture;
let server: ServerProcess;
let cookie: string;

beforeAll(async () => {
  tdb = await createTestDatabase();
  fx = await createSessionFixture(tdb.db, { slips: 2000 });
  const city = await createRegion(tdb.db, 'city', null, '压测市');
  const official = await createOfficial(tdb.db, 'city', city);
  server = await startServer({ databaseUrl: tdb.url, logLevel: 'warn' });
  const login = await fetch(`${server.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: official.username, password: TEST_PASSWORD }),
  });
  expect(login.status).toBe(200);
  cookie = login.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
}, 120_000);

afterAll(async () => {
  await server?.kill();
  await tdb?.close();
});

/** 10,000 rows of 10 distinct text cells, no header row. */
function costlyXlsx(): Buffer {
  const rows: string[] = [];
  for (let r = 1; r <= 10_000; r++) {
    const cells = Array.from({ length: 10 }, (_, c) => {
      const text = crypto.randomBytes(6).toString('base64');
      return `<c r="${String.fromCharCode(65 + c)}${r}" t="inlineStr"><is><t>${text}</t></is></c>`;
    });
    rows.push(`<row r="${r}">${cells.join('')}</row>`);
  }
  return xlsxWithSheet(deflatedPart('xl/worksheets/sheet1.xml', SHEET_HEAD + rows.join('') + SHEET_TAIL));
}

const upload = (bytes: Buffer) =>
  fetch(`${server.url}/api/regions/import?filename=hostile.xlsx&dryRun=true`, {
    method: 'POST',
    headers: { cookie, 'content-type': 'application/octet-stream' },
    body: new Uint8Array(bytes),
  });

let nextSlip = 0;
async function timed(request: () => Promise<Response>, expected: number[]): Promise<number> {
  const start = performance.now();
  const res = await request();
  await res.arrayBuffer();
  expect(expected).toContain(res.status);
  return performance.now() - start;
}

interface Probe {
  health: number;
  submit: number;
}

/** One health check and one ballot, each timed (ms). */
async function probe(): Promise<Probe> {
  const health = await timed(() => fetch(`${server.url}/api/health`), [200]);
  const token = fx.tokens[nextSlip++] as string;
  const submit = await timed(
    () =>
      fetch(`${server.url}/api/ballots`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token, clientId: crypto.randomUUID(), answers: validAnswers() }),
      }),
    [201],
  );
  return { health, submit };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

it('keeps /api/health and ballot submits responsive while hostile XLSX files are refused', async () => {
  const bomb = xlsxWithSheet(
    await repeatedPart(
      'xl/worksheets/sheet1.xml',
      SHEET_HEAD,
      '<row><c t="inlineStr"><is><t>x</t></is></c></row>',
      3_000_000,
      SHEET_TAIL,
    ),
  );
  const costly = costlyXlsx();

  const before: Probe[] = [];
  for (let i = 0; i < 40; i++) before.push(await probe());

  const during: Probe[] = [];
  const replies: string[] = [];
  const uploader = async () => {
    for (const file of [bomb, costly]) {
      const res = await upload(file);
      replies.push(`${res.status} ${((await res.json()) as { message: string }).message}`);
    }
  };
  let uploading = true;
  const uploads = Promise.all([uploader(), uploader()]).finally(() => (uploading = false));
  while (uploading && nextSlip < fx.tokens.length) during.push(await probe());
  await uploads;

  const bombReply = '413 文件解压后约 140 MB，超过 50 MB 的上限，请拆分后再导入';
  expect(replies.filter((r) => r === bombReply)).toHaveLength(2);
  // The costly file is refused for its missing header or, on a machine too busy to read it in time,
  // by the 30 s deadline: either way it is refused and the service must stay responsive.
  for (const reply of replies.filter((r) => r !== bombReply)) {
    expect([
      '400 找不到表头：第 1 行应为列名 县、乡镇、村（可选 统计代码）',
      '413 读取文件超过 30 秒的上限，已中止，请拆分后再导入',
    ]).toContain(reply);
  }
  const round = (p: Probe) => p.health + p.submit;
  const stats = (xs: Probe[]) =>
    `mean ${mean(xs.map(round)).toFixed(0)} ms, median ${median(xs.map(round)).toFixed(0)} ms, ` +
    `max ${Math.max(...xs.map(round)).toFixed(0)} ms over ${xs.length} probes`;
  console.log(`health + submit: before ${stats(before)}; during ${stats(during)}`);
  // The bound compares the MEAN time of a probe (one health check + one ballot) during the uploads
  // with the MEDIAN probe before them. Not the median during: exceljs yields to the event loop
  // between chunks, so on the loop most probes slip through and a few wait for a stall of seconds
  // (the 7.8 s of the report); the mean counts those stalls. The baseline is a median so that one
  // hiccup of this shared machine before the uploads cannot loosen the bound. Measured here (2
  // cores shared with other test runs, load average 15-27): with the worker the ratio was 2.2-3.3
  // (the parse still takes a core from PostgreSQL and the server); with the parse on the event
  // loop 7.9-14, with stalls of 4-13 s. 5× plus 100 ms lies between.
  expect(during.length).toBeGreaterThanOrEqual(5);
  expect(mean(during.map(round))).toBeLessThanOrEqual(5 * median(before.map(round)) + 100);
}, 180_000);
