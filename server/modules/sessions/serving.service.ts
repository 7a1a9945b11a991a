// The case a new session serves (serving.rules): told before creation by the preview, enforced at
// creation inside the creating transaction.
import type { Db } from '../../db/database.ts';
import { AppError } from '../../errors.ts';
import type { CurrentUser } from '../../lib/access.ts';
import { getRegionInScope } from '../regions/regions.service.ts';
import { defaultRuleSet, type RuleSet } from '../tallies/tallies.rules.ts';
import { defaultQuestionnaire, type Questionnaire } from './questionnaire.ts';
import type { SessionKind } from './sessions.rules.ts';
import { servableCaseOf, type ServableCaseRow } from './serving.repository.ts';
import { NO_CASE_ACKNOWLEDGEMENT, sessionContextOf, type SessionContext } from './serving.rules.ts';

export function notAVillage(): AppError {
  return new AppError('VALIDATION_FAILED', '测评只能为村创建', [{ field: 'villageId', message: '不是村' }]);
}

/** The questionnaire and rules a new session starts from: its case's campaign's, else the default. */
export interface SessionTemplate {
  /** null: the default template */
  campaign: { id: number; title: string } | null;
  questionnaire: Questionnaire;
  rules: RuleSet;
}

/** What creating a session of this kind for the village would do (GET /api/villages/:id/session-context). */
export async function sessionContext(
  db: Db,
  user: CurrentUser,
  villageId: number,
  kind: SessionKind,
): Promise<SessionContext & { template: SessionTemplate }> {
  const village = await getRegionInScope(db, user, villageId);
  if (village.level !== 'village') throw notAVillage();
  const found = (await servableCaseOf(db, village.id)) ?? null;
  const context = sessionContextOf(kind, village.name, found);
  // as createSession chooses: the campaign's template only for a session that serves its case
  const template: SessionTemplate =
    context.serves && found
      ? {
          campaign: { id: found.campaignId, title: found.campaignTitle },
          questionnaire: found.questionnaire,
          rules: found.rules,
        }
      : { campaign: null, questionnaire: defaultQuestionnaire(), rules: defaultRuleSet() };
  return { ...context, template };
}

/**
 * The case the new session will belong to (locked FOR SHARE until the caller's transaction ends),
 * or null once the creator has acknowledged that it serves none; otherwise the reason, as a 409 or 400.
 */
export async function caseToServe(
  trx: Db,
  village: { id: number; name: string },
  kind: SessionKind,
  acknowledgeNoCase: boolean,
): Promise<ServableCaseRow | null> {
  const found = (await servableCaseOf(trx, village.id, true)) ?? null;
  const context = sessionContextOf(kind, village.name, found);
  if (!context.allowed) throw new AppError('INVALID_STATE', context.message, { caseId: found?.id ?? null });
  if (context.needsAcknowledgement && !acknowledgeNoCase) {
    const message = `${context.message}请确认“${NO_CASE_ACKNOWLEDGEMENT}”后再创建。`;
    throw new AppError('VALIDATION_FAILED', message, [{ field: 'acknowledgeNoCase', message }]);
  }
  return context.serves ? found : null;
}
