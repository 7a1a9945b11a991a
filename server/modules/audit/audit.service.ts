// Every official action is appended to audit_event inside the transaction that performs it, so
// an action and its record commit or roll back together.
import type { Transaction } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { CurrentUser } from '../../lib/access.ts';
import { chainHash, GENESIS_HASH, type AuditContent } from './audit.rules.ts';
import { insertEvent, lastHash } from './audit.repository.ts';

export interface Actor {
  id: number | null;
  username: string;
  role: string;
  regionId: number | null;
}

/** The actor for actions taken from the command line (imports, seeding). */
export const CLI_ACTOR: Actor = { id: null, username: '(命令行)', role: 'cli', regionId: null };

export function actorOf(user: CurrentUser): Actor {
  return { id: user.id, username: user.username, role: user.role, regionId: user.regionId };
}

export async function recordAudit(
  trx: Transaction<DB>,
  actor: Actor,
  action: string,
  object: { type: string; id?: string | number | null; regionId?: number | null },
  detail: Record<string, unknown> = {},
): Promise<void> {
  const prev = (await lastHash(trx)) ?? GENESIS_HASH;
  const at = new Date();
  // Hash what the jsonb column will hold (a Date becomes its string, undefined disappears), so
  // npm run verify recomputes the same hash from the stored row.
  const stored = JSON.stringify(detail);
  const content: AuditContent = {
    at: at.toISOString(),
    actorId: actor.id,
    actorUsername: actor.username,
    actorRole: actor.role,
    regionId: object.regionId ?? actor.regionId,
    action,
    objectType: object.type,
    objectId: object.id === undefined || object.id === null ? null : String(object.id),
    detail: JSON.parse(stored) as unknown,
  };
  await insertEvent(trx, {
    at,
    actor_id: content.actorId,
    actor_username: content.actorUsername,
    actor_role: content.actorRole,
    region_id: content.regionId,
    action,
    object_type: content.objectType,
    object_id: content.objectId,
    detail: stored,
    prev_hash: prev,
    hash: chainHash(prev, content),
  });
}
