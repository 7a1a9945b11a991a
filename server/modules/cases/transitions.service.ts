// The acceptance workflow of a case. A step runs in one transaction with the case row locked FOR
// UPDATE: scope (404) → role (403) → state and gate (409 INVALID_TRANSITION, the reason in Chinese);
// then the state changes, the step is appended to case_transition with who, when, why and the
// session it rests on, and an audit entry `case.<action>` is written. A relist also opens a new
// case for the village (listed, linked to this one) in the chosen or newest covering campaign.
// Sessions attached to a case run through the sessions module, from the campaign's template.
import type { Transaction } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { DB } from '../../db/schema.ts';
import { AppError, forbidden } from '../../errors.ts';
import type { CurrentUser } from '../../lib/access.ts';
import { actorOf, recordAudit } from '../audit/audit.service.ts';
import type { SessionView } from '../sessions/sessions.schemas.ts';
import { mayCreate } from '../sessions/sessions.rules.ts';
import { createSession } from '../sessions/sessions.service.ts';
import * as campaigns from './campaigns.repository.ts';
import { campaignFor } from './campaigns.service.ts';
import * as repo from './cases.repository.ts';
import { caseExists, caseFor, getCase, lockCaseFor, objectOf } from './cases.service.ts';
import { caseSessionRefusal } from './cases.rights.ts';
import { chinaDay, edgeOf, refusal, type CaseFacts } from './cases.rules.ts';
import type { CaseSessionInput, CaseView, TransitionInput } from './cases.schemas.ts';
import { factsOf } from './cases.view.ts';
import * as steps from './transitions.repository.ts';

/** The session a step rests on: the one its gate read, unless the body names one of the case's. */
function gateSession(input: TransitionInput, facts: CaseFacts): number | null {
  switch (input.action) {
    case 'apply':
      return facts.selfEvaluation?.id ?? null;
    case 'county_pass':
      return facts.countyCallback?.id ?? null;
    case 'lookback_pass':
    case 'relist':
      return facts.lookBack?.id ?? null;
    default:
      return null;
  }
}

export async function transition(db: Db, user: CurrentUser, id: number, input: TransitionInput): Promise<CaseView> {
  await db.transaction().execute(async (trx) => {
    const row = await lockCaseFor(trx, user, id);
    const facts = await factsOf(trx, row);
    const why = refusal(user.role, input.action, row.state, facts, input, chinaDay());
    if (why?.reason === 'role') throw forbidden();
    if (why) throw new AppError('INVALID_TRANSITION', why.message, { state: row.state });
    const edge = edgeOf(input.action, row.state, user.role);
    if (!edge) throw forbidden(); // unreachable: refusal found the edge
    if (input.sessionId !== undefined && !(await steps.sessionOfCase(trx, id, input.sessionId))) {
      const message = `测评场次 ${input.sessionId} 不属于本案件`;
      throw new AppError('VALIDATION_FAILED', message, [{ field: 'sessionId', message }]);
    }
    const newCaseId = input.action === 'relist' ? await relist(trx, user, row, input) : null;
    // the grade read at county acceptance is recorded on the step and the case (history: it may change later)
    const grade = input.action === 'county_pass' ? facts.fortressGrade : null;
    await repo.updateCase(trx, id, {
      ...(edge.to !== row.state ? { state: edge.to } : {}),
      ...(input.action === 'return' ? { deadline: input.deadline } : {}),
      ...(input.action === 'county_pass' && grade ? { fortressGrade: grade } : {}),
    });
    const transitionId = await steps.insertTransition(trx, {
      caseId: id,
      action: input.action,
      fromState: row.state,
      toState: edge.to,
      officialId: user.id,
      actorName: user.displayName || user.username,
      actorRole: user.role,
      reason: input.reason?.trim() || null,
      // only a return (the case's new deadline) and a relist (the new case's) carry one
      deadline: input.action === 'return' || input.action === 'relist' ? (input.deadline ?? null) : null,
      sessionId: input.sessionId ?? gateSession(input, facts),
      evidence: input.evidence?.trim() || null,
      fortressGrade: grade,
      newCaseId,
    });
    await recordAudit(trx, actorOf(user), `case.${input.action}`, objectOf(row), {
      transitionId,
      from: row.state,
      to: edge.to,
      ...(input.reason ? { reason: input.reason } : {}),
      ...(input.deadline && (input.action === 'return' || input.action === 'relist')
        ? { deadline: input.deadline }
        : {}),
      ...(grade ? { fortressGrade: grade } : {}),
      ...(newCaseId ? { newCaseId } : {}),
    });
  });
  return getCase(db, user, id);
}

/** The new case of a relist: same village and types, listed, in the chosen or newest campaign. */
async function relist(trx: Transaction<DB>, user: CurrentUser, row: repo.CaseRow, input: TransitionInput) {
  const campaign =
    input.campaignId !== undefined
      ? await campaignFor(trx, user, input.campaignId)
      : await campaigns.newestCovering(trx, row.villagePath);
  if (!campaign || !row.villagePath.includes(campaign.regionId)) {
    const message = `该村不在整顿工作“${campaign?.title ?? ''}”的范围内`;
    throw new AppError('VALIDATION_FAILED', message, [{ field: 'campaignId', message }]);
  }
  const active = await repo.activeCaseOf(trx, row.villageId);
  if (active !== undefined) throw caseExists(active);
  const newId = await repo.insertCase(trx, {
    campaignId: campaign.id,
    villageId: row.villageId,
    types: row.types,
    plan: '',
    responsible: { countyLeader: '', townshipLeader: '', firstSecretary: '', pairedUnit: '' },
    deadline: input.deadline as string,
    previousCaseId: row.id,
    createdBy: user.id,
  });
  await recordAudit(
    trx,
    actorOf(user),
    'case.create',
    { type: 'rectification_case', id: newId, regionId: row.villageId },
    {
      campaignId: campaign.id,
      types: row.types,
      deadline: input.deadline,
      previousCaseId: row.id,
    },
  );
  return newId;
}

/** An evaluation session attached to the case, its questionnaire and rules copied from the campaign. */
export async function createCaseSession(
  db: Db,
  user: CurrentUser,
  id: number,
  input: CaseSessionInput,
): Promise<SessionView> {
  const row = await caseFor(db, user, id);
  if (!mayCreate(user.role, input.kind)) throw forbidden();
  const why = caseSessionRefusal(row.state, input.kind, row.relistedAsCaseId);
  if (why) throw new AppError('INVALID_STATE', why, { state: row.state });
  const campaign = await campaigns.findCampaign(db, row.campaignId);
  if (!campaign) throw new AppError('INTERNAL', '案件所属的整顿工作不存在');
  return createSession(
    db,
    user,
    {
      villageId: row.villageId,
      title: input.title,
      residentsPresent: input.residentsPresent,
      kind: input.kind,
      questionnaire: campaign.questionnaire,
      rules: campaign.rules,
    },
    { caseId: row.id },
  );
}
