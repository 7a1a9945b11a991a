// A free TCP port and a throw-away database for scripts and test set-up: on DATABASE_URL's server
// when given, else an embedded PostgreSQL (fsync off) in a temp dir that `drop` removes again.
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '../../server/db/embedded.ts';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer().on('error', reject);
    srv.unref();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** The same server URL naming another database. */
export function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

async function adminQuery(url: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

export interface ThrowAwayDatabase {
  url: string;
  drop: () => Promise<void>;
}

/** An empty database (not migrated); `prefix` names it and its temp dir. */
export async function throwAwayDatabase(prefix: string, server = process.env.DATABASE_URL): Promise<ThrowAwayDatabase> {
  if (server) {
    const name = `${prefix}_${crypto.randomBytes(4).toString('hex')}`;
    await adminQuery(server, `create database ${name}`);
    return {
      url: withDatabase(server, name),
      drop: () => adminQuery(server, `drop database if exists ${name} with (force)`),
    };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
  fs.chmodSync(dir, 0o755);
  const embedded = await startEmbeddedPostgres({ dataDir: dir, port: await freePort(), settings: { fsync: 'off' } });
  return {
    url: embedded.url,
    drop: async () => {
      await embedded.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
