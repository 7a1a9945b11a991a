// Calling the API as an official of the evaluation tests: one village chain with an account per
// role, logged in by writing their sessions directly (world.ts sessionFor).
import type { FastifyInstance, InjectOptions } from 'fastify';
import type { Db } from '../../server/db/database.ts';
import type { Role } from '../../server/lib/access.ts';
import { createOfficial, createRegion, createTree, type TestOfficial, type Tree } from './factories.ts';
import { sessionFor } from './world.ts';

export interface Caller extends TestOfficial {
  cookie: string;
}

export interface Cast {
  tree: Tree;
  /** a village of another township in the same county */
  otherVillage: number;
  village: Caller;
  township: Caller;
  county: Caller;
  city: Caller;
  admin: Caller;
  /** the township official of the other township */
  otherTownship: Caller;
}

async function caller(db: Db, role: Role, regionId: number): Promise<Caller> {
  const official = await createOfficial(db, role, regionId);
  return { ...official, cookie: await sessionFor(db, official.id) };
}

/** Names to give the cast's places (the others keep their generated names). */
export type CastNames = Partial<
  Record<'city' | 'county' | 'township' | 'village' | 'otherTownship' | 'otherVillage', string>
>;

export async function createCast(db: Db, names: CastNames = {}): Promise<Cast> {
  const tree = await createTree(db);
  const otherTownshipId = await createRegion(db, 'township', tree.county);
  const otherVillage = await createRegion(db, 'village', otherTownshipId);
  const cast = {
    tree,
    otherVillage,
    village: await caller(db, 'village', tree.village),
    township: await caller(db, 'township', tree.township),
    county: await caller(db, 'county', tree.county),
    city: await caller(db, 'city', tree.city),
    admin: await caller(db, 'admin', tree.city),
    otherTownship: await caller(db, 'township', otherTownshipId),
  };
  const places = { ...tree, otherTownship: otherTownshipId, otherVillage };
  for (const [place, name] of Object.entries(names) as [keyof CastNames, string][]) {
    await db.updateTable('region').set({ name }).where('id', '=', places[place]).execute();
  }
  return cast;
}

/** One request as `who`; returns status and parsed body. */
export async function call(
  app: FastifyInstance,
  who: { cookie: string } | null,
  method: InjectOptions['method'],
  url: string,
  payload?: unknown,
) {
  const res = await app.inject({
    method,
    url,
    headers: who ? { cookie: who.cookie } : {},
    ...(payload === undefined ? {} : { payload: payload as InjectOptions['payload'] }),
  });
  // the parsed body is untyped on purpose: tests compare it whole with toEqual
  return { status: res.statusCode, body: res.body ? res.json() : null };
}
