// Tallies: live turnout (issued, used, remaining, online vs paper) while a session runs; the
// per-question results and the verdict only from the result written at close — never for an open
// session (DOMAIN.md: no pressure during the meeting). After close anyone may check the published
// receipt list, whose length equals the ballot count. The list is found by the session's random
// public id, never by its sequential key, and a session not (yet) published answers exactly as one
// that does not exist: counting ids reveals nothing.
import type { Db } from '../../db/database.ts';
import { AppError, notFound } from '../../errors.ts';
import type { CurrentUser } from '../../lib/access.ts';
import { turnout } from '../ballots/ballots.service.ts';
import { sessionFor } from '../sessions/sessions.service.ts';
import { resultsView, type ResultsView, type SessionResult } from './results.rules.ts';
import type { Verdict } from './tallies.rules.ts';
import * as repo from './tallies.repository.ts';

export interface Tally {
  status: string;
  residentsPresent: number;
  issued: number;
  used: number;
  remaining: number;
  online: number;
  paper: number;
  results?: ResultsView;
  verdict?: Verdict;
}

const CLOSED = ['closed', 'certified'];

export async function getTally(db: Db, user: CurrentUser, sessionId: number): Promise<Tally> {
  const row = await sessionFor(db, user, sessionId, 'view');
  if (CLOSED.includes(row.status)) {
    const r = (await repo.findResult(db, sessionId)) as SessionResult;
    return {
      status: row.status,
      residentsPresent: r.residentsPresent,
      issued: r.issued,
      used: r.used,
      remaining: Math.max(r.issued - r.used, 0),
      online: r.online,
      paper: r.paper,
      results: resultsView(r),
      verdict: r.verdict,
    };
  }
  const t = await turnout(db, sessionId);
  return {
    status: row.status,
    residentsPresent: row.residentsPresent,
    issued: row.issued,
    used: t.used,
    remaining: Math.max(row.issued - t.used, 0),
    online: t.online,
    paper: t.paper,
  };
}

export interface PublishedReceipts {
  session: { publicId: string; title: string; villageName: string; status: string };
  receipts: string[];
}

/** The slip alphabet, 20 characters (sql/0007 new_public_id). */
const PUBLIC_ID = /^[2-9A-HJ-NP-Z]{20}$/;

/**
 * The receipts of a closed or certified session. Unknown, malformed, draft and open all answer
 * the one NOT_FOUND (a villager checking early is told on the page that the list comes after the
 * close); a void session, whose id only its own villagers hold, says so.
 */
export async function getPublishedReceipts(db: Db, publicId: string): Promise<PublishedReceipts> {
  const s = PUBLIC_ID.test(publicId) ? await repo.findPublicSession(db, publicId) : undefined;
  if (!s || s.status === 'draft' || s.status === 'open') throw notFound();
  if (!CLOSED.includes(s.status)) throw new AppError('SESSION_NOT_CLOSED', '该测评已作废，没有公布回执');
  return {
    session: { publicId: s.publicId, title: s.title, villageName: s.villageName, status: s.status },
    receipts: await repo.listReceipts(db, s.id),
  };
}
