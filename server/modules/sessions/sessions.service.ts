// Evaluation sessions: creation with the default questionnaire and rule set, edits while draft,
// and the residents present (在村人数) declared by whoever runs the session and confirmed by a
// township (or county/city) official who re-enters the number. Every change writes a session
// event and an audit entry in its own transaction (sessions.access.ts).
import type { Transaction } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { DB } from '../../db/schema.ts';
import { AppError, forbidden, notFound, type FieldError } from '../../errors.ts';
import type { CurrentUser } from '../../lib/access.ts';
import { getRegionInScope } from '../regions/regions.service.ts';
import { defaultRuleSet, describeRules, type RuleSet } from '../tallies/tallies.rules.ts';
import { defaultQuestionnaire, type Questionnaire } from './questionnaire.ts';
import { questionnaireProblems, ruleSetProblems } from './questionnaire.rules.ts';
import * as repo from './sessions.repository.ts';
import { lockSessionFor, recordSessionChange, sessionFor } from './sessions.access.ts';
import { mayCreate, type SessionStatus } from './sessions.rules.ts';
import { chinaYear, defaultTitle } from './serving.rules.ts';
import { caseToServe, notAVillage } from './serving.service.ts';
import { decodeListCursor, encodeListCursor } from './list.rules.ts';
import type {
  CreateSessionInput,
  ListQueryInput,
  PatchSessionInput,
  SessionListItem,
  SessionListPage,
  SessionView,
} from './sessions.schemas.ts';

export type { SessionRow } from './sessions.repository.ts';
export {
  assertMay,
  lockForClose,
  lockForCloseFor,
  lockSessionFor,
  recordSessionChange,
  sessionFor,
} from './sessions.access.ts';
type SessionRow = repo.SessionRow;

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

/** What a session's page and a list row both say of it (sessions.schemas SessionHead). */
function headOf(row: SessionRow | repo.ListItemRow) {
  return {
    id: row.id,
    publicId: row.publicId,
    villageId: row.villageId,
    villageName: row.villageName,
    townshipName: row.townshipName,
    title: row.title,
    kind: row.kind,
    status: row.status,
    residentsPresent: row.residentsPresent,
    residentsConfirmed: row.residentsConfirmedAt !== null,
  };
}

export function toView(row: SessionRow): SessionView {
  return {
    ...headOf(row),
    residentsConfirmedBy: row.residentsConfirmedBy,
    residentsConfirmedAt: iso(row.residentsConfirmedAt),
    issued: row.issued,
    questionnaire: row.questionnaire,
    rules: row.rules,
    ruleText: describeRules(row.rules),
    voidReason: row.voidReason,
    openedAt: iso(row.openedAt),
    closedAt: iso(row.closedAt),
    certifiedAt: iso(row.certifiedAt),
    certification: row.certification,
    resultHash: row.resultHash ? row.resultHash.toString('hex') : null,
    closeAudit:
      row.closeAuditId !== null && row.closeAuditHash !== null
        ? { id: Number(row.closeAuditId), hash: row.closeAuditHash.toString('hex') }
        : null,
    caseId: row.caseId,
    scheduledOpenAt: iso(row.scheduledOpenAt),
    scheduledCloseAt: iso(row.scheduledCloseAt),
    createdAt: row.createdAt.toISOString(),
  };
}

/** A questionnaire and rule set fit to run a session (also a campaign's template): 400 otherwise. */
export function assertValid(questionnaire: Questionnaire, rules: RuleSet): void {
  const problems: FieldError[] = [...questionnaireProblems(questionnaire)];
  if (problems.length === 0) problems.push(...ruleSetProblems(rules, questionnaire));
  const first = problems[0];
  if (first) throw new AppError('VALIDATION_FAILED', `字段 ${first.field}：${first.message}`, problems);
}

function cleanTitle(title: string): string {
  const t = title.trim();
  if (t.length === 0) {
    throw new AppError('VALIDATION_FAILED', '请填写测评名称', [{ field: 'title', message: '不能为空' }]);
  }
  return t;
}

export async function getSessionView(db: Db, id: number): Promise<SessionView> {
  const row = await repo.findSession(db, id);
  if (!row) throw notFound();
  return toView(row);
}

/** Internal options of createSession, never taken from a request body: the case the session belongs to. */
export interface CreateSessionOptions {
  caseId?: number;
  /** More work in the creating transaction (a batch stores the schedule and enqueues its jobs). */
  also?: (trx: Transaction<DB>, session: { id: number; villageId: number }) => Promise<void>;
}

export async function createSession(
  db: Db,
  user: CurrentUser,
  input: CreateSessionInput,
  opts: CreateSessionOptions = {},
): Promise<SessionView> {
  const kind = input.kind ?? 'self_evaluation';
  const village = await getRegionInScope(db, user, input.villageId);
  if (!mayCreate(user.role, kind)) throw forbidden();
  if (village.level !== 'village') throw notAVillage();
  const title = input.title?.trim() || defaultTitle(village.name, kind, chinaYear(new Date()));
  const id = await db.transaction().execute(async (trx) => {
    // the case page names its case (already checked); any other page gets the village's case here
    const served =
      opts.caseId === undefined ? await caseToServe(trx, village, kind, input.acknowledgeNoCase === true) : null;
    const caseId = opts.caseId ?? served?.id;
    const questionnaire = input.questionnaire ?? served?.questionnaire ?? defaultQuestionnaire();
    const rules = input.rules ?? served?.rules ?? defaultRuleSet();
    assertValid(questionnaire, rules);
    const newId = await repo.insertSession(trx, {
      villageId: village.id,
      title,
      kind,
      questionnaire,
      rules,
      residentsPresent: input.residentsPresent,
      createdBy: user.id,
      caseId: caseId ?? null,
    });
    await recordSessionChange(trx, user, { id: newId, villageId: village.id }, 'create', {
      title,
      kind,
      residentsPresent: input.residentsPresent,
      ...(caseId !== undefined ? { caseId } : { acknowledgeNoCase: true }),
    });
    await opts.also?.(trx, { id: newId, villageId: village.id });
    return newId;
  });
  return getSessionView(db, id);
}

/** One page of the sessions in the caller's subtree, newest first, with list fields only. */
export async function listSessions(db: Db, user: CurrentUser, query: ListQueryInput): Promise<SessionListPage> {
  const { cursor, limit = 50, ...filter } = query;
  const after = cursor === undefined ? null : decodeListCursor(cursor);
  if (cursor !== undefined && !after) {
    throw new AppError('VALIDATION_FAILED', '分页位置无效，请从第一页重新加载', [{ field: 'cursor', message: '无效' }]);
  }
  // one row more than asked tells whether another page follows
  const [rows, total] = await Promise.all([
    repo.listPage(db, user.regionId, filter, after, limit + 1),
    repo.countInSubtree(db, user.regionId, filter),
  ]);
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    sessions: page.map(toListItem),
    nextCursor: rows.length > limit && last ? encodeListCursor(last) : null,
    total,
  };
}

function toListItem(row: repo.ListItemRow): SessionListItem {
  return {
    ...headOf(row),
    issued: row.issued,
    used: row.used,
    caseId: row.caseId,
    openedAt: iso(row.openedAt),
    closedAt: iso(row.closedAt),
    createdAt: row.createdAt.toISOString(),
  };
}

export async function getSession(db: Db, user: CurrentUser, id: number): Promise<SessionView> {
  return toView(await sessionFor(db, user, id, 'view'));
}

export async function updateSession(
  db: Db,
  user: CurrentUser,
  id: number,
  patch: PatchSessionInput,
): Promise<SessionView> {
  await db.transaction().execute(async (trx) => {
    const row = await lockSessionFor(trx, user, id, 'edit');
    if (patch.questionnaire && row.issued > 0) {
      // printed slips carry the questions as tick boxes for paper voting
      throw new AppError('INVALID_STATE', '已发放的测评票上印有题目，不能再修改问卷；如确需修改，请先作废已发放的票');
    }
    const questionnaire = patch.questionnaire ?? row.questionnaire;
    const rules = patch.rules ?? row.rules;
    if (patch.questionnaire || patch.rules) assertValid(questionnaire, rules);
    const residents = patch.residentsPresent ?? row.residentsPresent;
    if (residents < row.issued) {
      throw new AppError('TOO_MANY_SLIPS', `已发放 ${row.issued} 张测评票，在村人数不能少于已发放的票数`);
    }
    const residentsChanged = residents !== row.residentsPresent;
    await repo.updateSession(trx, id, {
      ...(patch.title !== undefined ? { title: cleanTitle(patch.title) } : {}),
      ...(patch.questionnaire ? { questionnaire: JSON.stringify(questionnaire) } : {}),
      ...(patch.rules ? { rules: JSON.stringify(rules) } : {}),
      // a new number must be confirmed again
      ...(residentsChanged
        ? { residents_present: residents, residents_confirmed_by: null, residents_confirmed_at: null }
        : {}),
    });
    const detail: Record<string, unknown> = { fields: Object.keys(patch).sort() };
    if (residentsChanged) detail.residentsPresent = { from: row.residentsPresent, to: residents };
    await recordSessionChange(trx, user, row, 'update', detail);
  });
  return getSessionView(db, id);
}

export async function confirmResidents(
  db: Db,
  user: CurrentUser,
  id: number,
  residentsPresent: number,
): Promise<SessionView> {
  await db.transaction().execute(async (trx) => {
    const row = await lockSessionFor(trx, user, id, 'confirm_residents');
    if (residentsPresent !== row.residentsPresent) {
      throw new AppError(
        'RESIDENTS_MISMATCH',
        `核对的在村人数（${residentsPresent}）与申报的人数（${row.residentsPresent}）不一致，请核实后再确认，或由申报人修改`,
      );
    }
    await repo.updateSession(trx, id, { residents_confirmed_by: user.id, residents_confirmed_at: new Date() });
    await recordSessionChange(trx, user, row, 'confirm_residents', { residentsPresent });
  });
  return getSessionView(db, id);
}

export interface EventView {
  at: string;
  action: string;
  officialName: string | null;
  detail: Record<string, unknown>;
}

export async function listSessionEvents(db: Db, user: CurrentUser, id: number): Promise<EventView[]> {
  await sessionFor(db, user, id, 'view');
  const rows = await repo.listEvents(db, id);
  return rows.map((e) => ({ ...e, at: e.at.toISOString() }));
}

export interface SessionForBallot {
  id: number;
  publicId: string;
  title: string;
  villageName: string;
  status: SessionStatus;
  questionnaire: Questionnaire;
}

// An open session's questionnaire and title are frozen, so once read they can be served from
// memory while the caller knows (from its slip lookup) that the session is still open.
const openCache = new Map<number, SessionForBallot>();
const OPEN_CACHE_MAX = 2000;

/** What the ballot page shows; `knownStatus` (read with the slip) lets an open session skip the query. */
export async function getSessionForBallot(
  db: Db,
  sessionId: number,
  knownStatus?: SessionStatus,
): Promise<SessionForBallot | undefined> {
  if (knownStatus === 'open') {
    const cached = openCache.get(sessionId);
    if (cached) return cached;
  }
  const row = await repo.findSession(db, sessionId);
  if (!row) return undefined;
  const s: SessionForBallot = {
    id: row.id,
    publicId: row.publicId,
    title: row.title,
    villageName: row.villageName,
    status: row.status,
    questionnaire: row.questionnaire,
  };
  if (row.status === 'open') {
    if (openCache.size >= OPEN_CACHE_MAX) openCache.clear();
    openCache.set(sessionId, s);
  } else {
    openCache.delete(sessionId);
  }
  return s;
}
