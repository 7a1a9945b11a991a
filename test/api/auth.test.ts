import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, sessionCookie } from '../helpers/app.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { createOfficial, createTree, type TestOfficial } from '../helpers/factories.ts';

let tdb: TestDatabase;
let app: FastifyInstance;
let official: TestOfficial;

beforeAll(async () => {
  tdb = await createTestDatabase();
  app = await buildTestApp(tdb.db);
  const tree = await createTree(tdb.db);
  official = await createOfficial(tdb.db, 'township', tree.township);
});

afterAll(async () => {
  await app.close();
  await tdb.close();
});

const login = (username: string, password: string) =>
  app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password } });

describe('login', () => {
  it('answers 200 with the user and an HttpOnly SameSite=Strict session cookie', async () => {
    const res = await login(official.username, official.password);
    expect(res.statusCode).toBe(200);
    expect(res.json().user).toMatchObject({
      username: official.username,
      role: 'township',
      regionId: official.regionId,
    });
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const me = await app.inject({ method: 'GET', url: '/api/auth/me', headers: { cookie: sessionCookie(res) } });
    expect(me.statusCode).toBe(200);
    expect(me.json().user.username).toBe(official.username);
  });

  it('gives an unknown user and a wrong password the same answer', async () => {
    const unknown = await login('nobody_here', 'whatever1');
    const wrong = await login(official.username, 'wrong-password1');
    expect(unknown.statusCode).toBe(401);
    expect(wrong.json()).toEqual(unknown.json());
  });
});
