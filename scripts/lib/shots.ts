// What the screenshot scripts share: the app in this process over a throw-away database (a new
// database on DATABASE_URL's server, else an embedded PostgreSQL in a temporary directory) with
// Chromium beside it, a console page logged in as one account, full-page PNGs named
// <prefix>-<name>-<width>.png, the printed PDF of a page and PNGs of its first pages.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { chromium, type Browser, type Page } from 'playwright-core';
import { buildApp } from '../../server/app.ts';
import { loadConfig } from '../../server/config.ts';
import { createDatabase, type Db } from '../../server/db/database.ts';
import { migrate } from '../../server/db/migrate.ts';
import { throwAwayDatabase } from '../../test/helpers/throwaway-db.ts';
import { PASSWORD } from './demo.ts';

/** A phone and a desktop. */
export const VIEWPORTS = [
  { width: 360, height: 740 },
  { width: 1280, height: 800 },
];

export interface RunningApp {
  app: FastifyInstance;
  db: Db;
  /** the app's address, e.g. http://127.0.0.1:40123 */
  url: string;
  /** closes the app and drops its database */
  stop: () => Promise<void>;
}

/** The app listening on a free port over a migrated, empty throw-away database named after `prefix`. */
export async function startApp(prefix: string): Promise<RunningApp> {
  const database = await throwAwayDatabase(prefix);
  await migrate(database.url);
  const { db, close } = createDatabase(database.url);
  const app = await buildApp(loadConfig({ LOG_LEVEL: 'warn', PUBLIC_URL: 'http://127.0.0.1' }), { db });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    app,
    db,
    url,
    stop: async () => {
      await app.close();
      await close();
      await database.drop();
    },
  };
}

export const launchChromium = (): Promise<Browser> =>
  chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });

export interface Stage extends RunningApp {
  browser: Browser;
  /** errors and warnings the pages wrote to their console, written out once `run` is done */
  problems: string[];
}

/** startApp, Chromium, `run`, and all torn down again. */
export async function withStage(prefix: string, run: (stage: Stage) => Promise<void>): Promise<void> {
  const running = await startApp(prefix);
  let browser: Browser | undefined;
  const problems: string[] = [];
  try {
    browser = await launchChromium();
    await run({ ...running, browser, problems });
    for (const p of problems) process.stderr.write(`浏览器报告：${p}\n`);
  } finally {
    await browser?.close();
    await running.stop();
  }
}

/** Collects what a page reports on its console (refused requests aside) and its uncaught errors. */
export function watchConsole(page: Page, problems: string[], tag = ''): void {
  page.on('console', (m) => {
    if ((m.type() === 'error' || m.type() === 'warning') && !m.text().startsWith('Failed to load resource'))
      problems.push(`${tag}${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`${tag}${e.message}`));
}

/** One pass of a script at one width: pictures go to `out` as <prefix>-<name>-<width>.png. */
export interface Ctx {
  url: string;
  out: string;
  prefix: string;
  width: number;
  problems: string[];
}

/** A new browser context at the context's width, logged into the console as `username`. */
export async function login(
  browser: Browser,
  ctx: Ctx,
  username: string,
  height = ctx.width < 600 ? 740 : 800,
): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: ctx.width, height }, locale: 'zh-CN' });
  const page = await context.newPage();
  watchConsole(page, ctx.problems, `[${ctx.width}px ${username}] `);
  await page.goto(`${ctx.url}/`);
  await page.getByLabel('用户名').fill(username);
  await page.getByLabel('密码').fill(PASSWORD);
  await page.getByRole('button', { name: '登录' }).click();
  await page.locator('header .who').waitFor();
  return page;
}

/** <out>/<prefix>-<name>-<width>.<ext> */
export const shotFile = (ctx: Ctx, name: string, ext: string): string =>
  path.join(ctx.out, `${ctx.prefix}-${name}-${ctx.width}.${ext}`);

export const snap = (page: Page, ctx: Ctx, name: string) =>
  page.screenshot({ path: shotFile(ctx, name, 'png'), fullPage: true });

/** page.pdf() on A4 as the page's print styles lay it out: its page count and the time it took. */
export async function printPdf(
  page: Page,
  file: string,
  printBackground = true,
): Promise<{ pages: number; ms: number }> {
  const started = performance.now();
  await page.pdf({ path: file, format: 'A4', preferCSSPageSize: true, printBackground });
  const ms = Math.round(performance.now() - started);
  return { pages: (fs.readFileSync(file, 'latin1').match(/\/Type\s*\/Page[^s]/g) ?? []).length, ms };
}

/** PNGs of a PDF's first `pages` pages beside it (pdftoppm, when installed). */
export function pdfToPngs(file: string, pages: number): void {
  try {
    execFileSync('pdftoppm', ['-png', '-r', '80', '-f', '1', '-l', String(pages), file, file.replace(/\.pdf$/, '')]);
  } catch {
    process.stderr.write('未找到 pdftoppm（apt-get install poppler-utils），只保存了 PDF\n');
  }
}

/** The end of a script that failed: its stack on stderr, exit code 1. */
export function fail(err: unknown): never {
  process.stderr.write(`截图失败：${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
}
