// The service with its database unreachable (a real pool pointed at a port nobody listens on):
// every request that needs the database answers 503 DATABASE_UNAVAILABLE with Retry-After.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type Database } from '../../server/db/database.ts';
import { buildTestApp } from '../helpers/app.ts';
import { freePort } from '../helpers/server-process.ts';

let database: Database;
let app: FastifyInstance;

beforeAll(async () => {
  database = createDatabase(`postgres://postgres@127.0.0.1:${await freePort()}/nowhere`, { max: 2 });
  app = await buildTestApp(database.db);
});

afterAll(async () => {
  await app.close();
  await database.close();
});

const UNAVAILABLE = {
  statusCode: 503,
  code: 'DATABASE_UNAVAILABLE',
  error: 'Service Unavailable',
  message: '数据库暂时不可用',
};

describe('with the database unreachable', () => {
  it('answers /api/health 503 with Retry-After', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/health' });
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('2');
    expect(res.json()).toMatchObject({ statusCode: 503, code: 'DATABASE_UNAVAILABLE' });
  });

  it('answers a ballot submit, a questionnaire and a login 503 DATABASE_UNAVAILABLE with Retry-After', async () => {
    const token = '23456789ABCDEFGH';
    const requests = [
      { url: '/api/ballots', payload: { token, clientId: 'client-0001', answers: { q1: 'satisfied' } } },
      { url: '/api/ballot/questionnaire', payload: { token } },
      { url: '/api/auth/login', payload: { username: 'someone', password: 'Passw0rd-test' } },
    ];
    for (const r of requests) {
      const res = await app.inject({ method: 'POST', ...r });
      expect(res.statusCode, r.url).toBe(503);
      expect(res.headers['retry-after'], r.url).toBe('2');
      expect(res.json(), r.url).toEqual(UNAVAILABLE);
    }
  });
});
