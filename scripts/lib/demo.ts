// The screenshot scripts' data: accounts and regions written straight into the database, and the
// API driven as an official or a villager would, so the pages show what the real service made.
import crypto from 'node:crypto';
import type { Db } from '../../server/db/database.ts';
import { hashPassword } from '../../server/lib/passwords.ts';

/** The password of every account the scripts seed. */
export const PASSWORD = 'Demo-pass-2024';

/** Inserts a region (returning its id) and an official who logs in with PASSWORD. */
export async function seeder(db: Db) {
  const hash = await hashPassword(PASSWORD);
  return {
    region: async (level: string, parentId: number | null, name: string): Promise<number> =>
      (
        await db
          .insertInto('region')
          .values({ level, parent_id: parentId, name })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id,
    official: async (username: string, displayName: string, role: string, regionId: number): Promise<void> => {
      await db
        .insertInto('official')
        .values({ username, display_name: displayName, role, region_id: regionId, password_hash: hash })
        .execute();
    },
  };
}

/** The API as one logged-in account (the session cookie kept by hand). */
export class Client {
  private cookie = '';
  constructor(
    private readonly url: string,
    private readonly username: string,
    private readonly password: string = PASSWORD,
  ) {}

  async login(): Promise<this> {
    const res = await fetch(`${this.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: this.username, password: this.password }),
    });
    this.cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] as string;
    return this;
  }

  /** The reply's body; any status but 2xx stops the script. */
  async call<T = Record<string, unknown>>(method: string, p: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.url}${p}`, {
      method,
      headers: { cookie: this.cookie, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const data = (await res.json()) as T;
    if (!res.ok) throw new Error(`${this.username} ${method} ${p}: ${res.status} ${JSON.stringify(data)}`);
    return data;
  }
}

/** A villager's ballot through the real API; anything but 201 stops the script. */
export async function vote(url: string, token: string, answers: Record<string, string>): Promise<void> {
  const res = await fetch(`${url}/api/ballots`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token, clientId: crypto.randomUUID(), answers }),
  });
  if (res.status !== 201) throw new Error(`投票失败 ${res.status} ${await res.text()}`);
}
