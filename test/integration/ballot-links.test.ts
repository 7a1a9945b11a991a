// Slip links mangled by chat apps and QR readers (`/v#TOKEN` arriving as `/v/TOKEN`, `/v%23TOKEN`
// or `/v%2FTOKEN`) get the ballot page itself, which moves the code into the fragment; the server
// looks nothing up, stores nothing (no-store), sends no referrer and logs the route, not the path.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEB_DIST } from '../../server/paths.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { ballotState, createSessionFixture, type SessionFixture } from '../helpers/evaluation.ts';
import { startServer, type ServerProcess } from '../helpers/server-process.ts';
import { ensureWebBuilt } from '../helpers/web-build.ts';

let tdb: TestDatabase;
let server: ServerProcess;
let fx: SessionFixture;

beforeAll(async () => {
  await ensureWebBuilt();
  tdb = await createTestDatabase();
  fx = await createSessionFixture(tdb.db, { slips: 3 });
  server = await startServer({ databaseUrl: tdb.url, logLevel: 'trace' });
}, 240_000);

afterAll(async () => {
  await server?.stop();
  await tdb?.close();
});

/** The request log lines the server wrote (pino JSON, one per line). */
function requestLines(): { url: string; method: string }[] {
  return server
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { req?: { url: string; method: string } })
    .flatMap((entry) => (entry.req ? [entry.req] : []));
}

describe('mangled slip links', () => {
  it('answer the ballot page, not stored and sent with no referrer, and consume nothing', async () => {
    const token = fx.tokens[0] as string;
    const page = fs.readFileSync(path.join(WEB_DIST, 'ballot.html'), 'utf8');
    for (const url of [`/v/${token}`, `/v%23${token}`, `/v%2F${token}`, `/v/#${token}`, '/v/']) {
      for (const method of ['GET', 'HEAD']) {
        const res = await fetch(server.url + url, { method, redirect: 'manual' });
        expect([url, method, res.status]).toEqual([url, method, 200]);
        expect(res.headers.get('content-type')).toMatch(/^text\/html/);
        expect(res.headers.get('cache-control')).toBe('no-store');
        expect(res.headers.get('referrer-policy')).toBe('no-referrer');
        const body = await res.text();
        if (method === 'GET') expect(body).toBe(page);
      }
    }
    // the pages themselves are revalidated, never kept for a year like the hashed assets
    for (const url of ['/', '/v'])
      expect((await fetch(server.url + url)).headers.get('cache-control')).toBe('no-cache');
    // other paths that only begin with /v stay unknown
    const other = await fetch(`${server.url}/vote`);
    expect(other.status).toBe(404);
    expect(await other.json()).toMatchObject({ code: 'ROUTE_NOT_FOUND' });
    expect(await ballotState(tdb.db, fx.sessionId)).toEqual({ ballots: 0, receipts: 0, used: 0, online: 0, paper: 0 });
  });

  it('are logged by their route pattern, never with the token', async () => {
    const token = fx.tokens[1] as string;
    await fetch(`${server.url}/v/${token}`);
    await fetch(`${server.url}/v%23${token.toLowerCase()}`);
    await fetch(`${server.url}/v%2F${token}`);
    const urls = requestLines().map((r) => `${r.method} ${r.url}`);
    expect(urls).toContain('GET /v/*');
    expect(urls).toContain('GET /v:mangled');
    const patterns = new Set(urls.filter((u) => u.startsWith('GET /v')));
    expect([...patterns].sort()).toEqual(['GET /v', 'GET /v/*', 'GET /v:mangled']);
    const log = server.output();
    for (const t of fx.tokens) {
      expect(log).not.toContain(t);
      expect(log).not.toContain(t.toLowerCase());
    }
  });
});
