// Tallies: live turnout (issued, used, remaining, online vs paper) while a session runs; the
// per-question results and the verdict only from the result written at close — never for an open
// session (DOMAIN.md: no pressure during the meeting). After close anyone may check the published
// receipt list, whose length equals the ballot count.
import type { Db } from '../../db/database.ts';
import { AppError, notFound } from '../../errors.ts';
import type { CurrentUser } from '../../lib/access.ts';
import { turnout } from '../ballots/ballots.service.ts';
import { getSessionForBallot, sessionFor } from '../sessions/sessions.service.ts';
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
  session: { id: number; title: string; villageName: string; status: string };
  receipts: string[];
}

export async function getPublishedReceipts(db: Db, sessionId: number): Promise<PublishedReceipts> {
  const s = await getSessionForBallot(db, sessionId);
  if (!s) throw notFound();
  if (!CLOSED.includes(s.status)) {
    const message = s.status === 'void' ? '该测评已作废，没有公布回执' : '测评尚未结束，回执名单在结束后公布';
    throw new AppError('SESSION_NOT_CLOSED', message);
  }
  return {
    session: { id: s.id, title: s.title, villageName: s.villageName, status: s.status },
    receipts: await repo.listReceipts(db, sessionId),
  };
}
