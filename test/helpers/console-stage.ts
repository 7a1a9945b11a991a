// The stage of the console's browser tests (test/e2e): the web build, a test database, the app
// listening on a free port and a headless chromium, opened in a file's beforeAll and closed in its
// afterAll; officials log in through the login form in a fresh browser context each, and every page
// opened that way reports its script errors (and, unless turned off, its console errors such as CSP
// refusals) into one list the tests expect to stay empty.
import fs from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { Db } from '../../server/db/database.ts';
import { buildTestApp } from './app.ts';
import { createTestDatabase, type TestDatabase } from './db.ts';
import { ensureWebBuilt } from './web-build.ts';

export const CHROMIUM = '/usr/bin/chromium';
export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 360, height: 740 };
/** This year in China, the year the console opens on. */
export const thisYear = Number(
  new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric' }).format(),
);

/** Whether chromium is installed; without it, says which browser test is skipped when named. */
export function hasChromium(skipped?: string): boolean {
  const found = fs.existsSync(CHROMIUM);
  if (!found && skipped) console.warn(`跳过${skipped}浏览器测试：未找到 ${CHROMIUM}（CI 会安装 chromium）`);
  return found;
}

/** How far the page is wider than the screen (0 or less: no sideways scrolling). */
export const overflow = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

export interface Viewport {
  width: number;
  height: number;
}

export interface ConsoleStage {
  readonly database: TestDatabase;
  readonly db: Db;
  readonly app: FastifyInstance;
  readonly browser: Browser;
  /** `http://127.0.0.1:<port>` */
  readonly baseUrl: string;
  /** Script errors and CSP refusals seen by any logged-in page (refused API replies are expected and left out). */
  readonly problems: string[];
  /** Web build, database, app (then `seed`, before the app listens), listening, chromium. */
  start(seed?: (db: Db, app: FastifyInstance) => Promise<void>): Promise<void>;
  /** Closes whatever start opened. */
  stop(): Promise<void>;
  /** A new browser context at `viewport`, logged in as `who` through the login form. */
  loggedIn(who: { username: string; password: string }, viewport?: Viewport): Promise<Page>;
}

/** `consoleErrors: false` records only script errors, not console errors. */
export function consoleStage(opts: { consoleErrors?: boolean } = {}): ConsoleStage {
  const consoleErrors = opts.consoleErrors ?? true;
  const problems: string[] = [];
  let database: TestDatabase | undefined;
  let app: FastifyInstance | undefined;
  let browser: Browser | undefined;
  let baseUrl: string | undefined;
  const opened = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`console stage: no ${what} yet (start() it in beforeAll)`);
    return value;
  };

  return {
    get database() {
      return opened(database, 'database');
    },
    get db() {
      return opened(database, 'database').db;
    },
    get app() {
      return opened(app, 'app');
    },
    get browser() {
      return opened(browser, 'browser');
    },
    get baseUrl() {
      return opened(baseUrl, 'base URL');
    },
    problems,

    async start(seed) {
      await ensureWebBuilt();
      database = await createTestDatabase();
      app = await buildTestApp(database.db);
      if (seed) await seed(database.db, app);
      baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
      });
    },

    async stop() {
      await browser?.close();
      await app?.close();
      await database?.close();
    },

    async loggedIn(who, viewport = DESKTOP) {
      const page = await (await opened(browser, 'browser').newContext({ viewport, locale: 'zh-CN' })).newPage();
      page.setDefaultTimeout(15_000); // a missing text fails the step with its locator, inside the test's time
      page.on('pageerror', (e) => problems.push(e.message));
      if (consoleErrors) {
        page.on('console', (m) => {
          if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(m.text());
        });
      }
      await page.goto(`${opened(baseUrl, 'base URL')}/`);
      await page.getByLabel('用户名').fill(who.username);
      await page.getByLabel('密码').fill(who.password);
      await page.getByRole('button', { name: '登录' }).click();
      await page.locator('header .who').waitFor();
      return page;
    },
  };
}
