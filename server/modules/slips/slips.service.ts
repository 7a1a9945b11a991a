// Slips: single-use tokens of 80 bits (nanoid customAlphabet, no look-alike characters). Only
// SHA-256(token) is stored; the plain tokens exist once, in the reply that issues them, and no
// route returns them again (a lost sheet is voided and a new batch issued). The total of
// non-voided slips never exceeds the residents present: the session row is locked FOR UPDATE
// while the limit is checked and issued_count raised, so concurrent issues queue behind each other.
import { customAlphabet } from 'nanoid';
import type { Db } from '../../db/database.ts';
import { AppError, notFound } from '../../errors.ts';
import type { CurrentUser } from '../../lib/access.ts';
import { sha256 } from '../../lib/crypto.ts';
import { displayCode, TOKEN_ALPHABET, TOKEN_LENGTH } from '../ballots/ballots.rules.ts';
import { lockSessionFor, recordSessionChange, sessionFor } from '../sessions/sessions.service.ts';
import * as repo from './slips.repository.ts';

export type { BatchRow } from './slips.repository.ts';

const newToken = customAlphabet(TOKEN_ALPHABET, TOKEN_LENGTH);

export interface IssuedSlip {
  token: string;
  code: string;
  url: string;
}

export interface IssuedBatch {
  batch: { id: number; count: number; createdAt: Date };
  slips: IssuedSlip[];
}

export function slipUrl(publicUrl: string, token: string): string {
  // In the fragment: browsers never send it, so it reaches no server or proxy log.
  return `${publicUrl}/v#${token}`;
}

export async function issueSlips(
  db: Db,
  user: CurrentUser,
  sessionId: number,
  count: number,
  publicUrl: string,
): Promise<IssuedBatch> {
  const tokens = Array.from({ length: count }, () => newToken());
  const batch = await db.transaction().execute(async (trx) => {
    const row = await lockSessionFor(trx, user, sessionId, 'issue_slips');
    const left = row.residentsPresent - row.issued;
    if (count > left) {
      throw new AppError(
        'TOO_MANY_SLIPS',
        `在村人数为 ${row.residentsPresent} 人，已发放 ${row.issued} 张测评票，最多还能发放 ${Math.max(left, 0)} 张`,
        { residentsPresent: row.residentsPresent, issued: row.issued, remaining: Math.max(left, 0) },
      );
    }
    const created = await repo.insertBatch(trx, { sessionId, count, createdBy: user.id });
    await repo.insertSlips(trx, sessionId, created.id, tokens.map(sha256));
    await repo.addIssued(trx, sessionId, count);
    await recordSessionChange(trx, user, row, 'issue_slips', { batchId: created.id, count });
    return created;
  });
  return {
    batch: { id: batch.id, count, createdAt: batch.createdAt },
    slips: tokens.map((token) => ({ token, code: displayCode(token), url: slipUrl(publicUrl, token) })),
  };
}

export async function listBatches(db: Db, user: CurrentUser, sessionId: number): Promise<repo.BatchRow[]> {
  await sessionFor(db, user, sessionId, 'view');
  return repo.listBatches(db, sessionId);
}

export async function voidBatch(db: Db, user: CurrentUser, sessionId: number, batchId: number): Promise<repo.BatchRow> {
  await db.transaction().execute(async (trx) => {
    const row = await lockSessionFor(trx, user, sessionId, 'void_batch');
    const batch = await repo.findBatch(trx, sessionId, batchId);
    if (!batch) throw notFound();
    if (batch.voided) throw new AppError('INVALID_STATE', '这批测评票已经作废');
    const voided = await repo.voidUnusedSlips(trx, sessionId, batchId);
    if (voided === 0) throw new AppError('INVALID_STATE', '这批测评票已全部使用，没有可作废的票');
    await repo.markBatchVoided(trx, batchId, user.id);
    await repo.addIssued(trx, sessionId, -voided);
    await recordSessionChange(trx, user, row, 'void_batch', { batchId, voided });
  });
  return (await repo.findBatch(db, sessionId, batchId)) as repo.BatchRow;
}
