// One village's year in the scale dataset, through the services a person's clicks reach: a
// session created, its residents confirmed, slips issued, opened, every ballot submitted through
// the ballot route's own function (a slip consumed per ballot), closed through the real close; a
// case listed and moved through the acceptance steps by the role each step needs.
import crypto from 'node:crypto';
import type { Db } from '../../db/database.ts';
import type { CurrentUser } from '../../lib/access.ts';
import { submitBallot } from '../ballots/ballots.service.ts';
import { createCase } from '../cases/cases.service.ts';
import { createCaseSession, transition } from '../cases/transitions.service.ts';
import { scoreVillage } from '../grading/grading.service.ts';
import { getSheet } from '../grading/grading.sheets.service.ts';
import { chinaDay } from '../cases/cases.rules.ts';
import { closeSession, openSession } from '../sessions/lifecycle.service.ts';
import type { SessionKind } from '../sessions/sessions.rules.ts';
import type { CreateSessionInput } from '../sessions/sessions.schemas.ts';
import { confirmResidents, createSession } from '../sessions/sessions.service.ts';
import { issueSlips } from '../slips/slips.service.ts';
import { ballotAnswers, random, satisfiedCount, type CaseFate, type SessionShape } from './demo.scale.rules.ts';

export interface Counters {
  sessions: number;
  ballots: number;
  cases: number;
}

export interface RunContext {
  db: Db;
  publicUrl: string;
  counters: Counters;
  /** the sessions created in the year being run (backdated afterwards when it is a past year) */
  sessionIds: number[];
}

export interface People {
  city: CurrentUser;
  county: CurrentUser;
  township: CurrentUser;
  /** the village's own secretary: only created for villages whose case reaches 申请验收 */
  village?: CurrentUser | undefined;
}

export type SessionEnd = 'closed' | 'open' | 'draft_confirmed' | 'draft';

export interface SessionPlan {
  villageId: number;
  kind: SessionKind;
  title: string;
  shape: SessionShape;
  end: SessionEnd;
  seed: number;
  caseId?: number | undefined;
}

/** Runs one session as far as `plan.end`; `runner` creates, issues, opens and closes it. */
export async function runSession(ctx: RunContext, runner: CurrentUser, plan: SessionPlan, confirmer: CurrentUser) {
  const { db } = ctx;
  const { residentsPresent } = plan.shape;
  const session =
    plan.caseId === undefined
      ? await createSession(db, runner, {
          villageId: plan.villageId,
          title: plan.title,
          residentsPresent,
          kind: plan.kind,
          // a plain session serves no case: the creator has been told so (sessions serving.rules)
          acknowledgeNoCase: true,
        } as CreateSessionInput)
      : await createCaseSession(db, runner, plan.caseId, { kind: plan.kind, title: plan.title, residentsPresent });
  ctx.sessionIds.push(session.id);
  ctx.counters.sessions++;
  if (plan.end === 'draft') return session.id;
  await confirmResidents(db, confirmer, session.id, residentsPresent);
  if (plan.end === 'draft_confirmed') return session.id;
  const { slips } = await issueSlips(db, runner, session.id, plan.shape.issued, ctx.publicUrl);
  await openSession(db, runner, session.id);
  const rand = random(plan.seed);
  const n = plan.shape.ballots;
  const cast = plan.end === 'open' ? Math.round(n * (0.2 + 0.6 * rand())) : n;
  const satisfied = satisfiedCount(n, plan.shape.satisfaction);
  for (let j = 0; j < cast; j++) {
    const token = (slips[j] as { token: string }).token;
    const answers = ballotAnswers(rand, j < satisfied, plan.shape.satisfaction);
    await submitBallot(db, { token, clientId: crypto.randomBytes(12).toString('hex'), answers });
    ctx.counters.ballots++;
  }
  if (plan.end === 'closed') await closeSession(db, runner, session.id);
  return session.id;
}

/** Item scores adding up to `total` on the county's sheet of the year (the township's scoring). */
async function scores(db: Db, people: People, year: number, total: number) {
  const { sheet } = await getSheet(db, people.county, { year });
  let left = total;
  return (sheet?.items ?? []).map((it) => {
    const score = Math.min(it.maxScore, left);
    left -= score;
    return { itemId: it.id, score, note: '' };
  });
}

const inDays = (days: number): string => chinaDay(new Date(Date.now() + days * 86_400_000));
const TYPES = ['班子战斗力不强', '推进乡村振兴缓慢', '矛盾问题突出', '村容村貌较差'];

export interface CasePlan {
  campaignId: number;
  villageId: number;
  villageName: string;
  year: number;
  fate: CaseFate;
  /** the self-evaluation's shape (and the county callback's, when the case gets that far) */
  shape: SessionShape;
  seed: number;
}

const AFTER_APPLY: readonly CaseFate[] = ['applied', 'township_check', 'county_acceptance', 'exited', 'monitoring'];
const AFTER_TOWNSHIP: readonly CaseFate[] = ['county_acceptance', 'exited', 'monitoring'];

/** A case listed by the county and taken through the steps its fate names. */
export async function runCase(ctx: RunContext, people: People, plan: CasePlan): Promise<number> {
  const rectifyingOnly = plan.fate === 'listed' || plan.fate === 'rectifying';
  const types = [TYPES[plan.seed % TYPES.length] as string];
  const c = await createCase(ctx.db, people.county, {
    campaignId: plan.campaignId,
    villageId: plan.villageId,
    types,
    deadline: inDays(60 + (plan.seed % 90)),
    plan: `一村一策：${types[0]}，整顿期内逐项销号。`,
    // a case that must pass the township check carries no open problem
    problems: rectifyingOnly
      ? [{ description: '村务、财务公开不及时', owner: '村党支部书记', deadline: inDays(30 + (plan.seed % 60)) }]
      : [],
  });
  ctx.counters.cases++;
  await advance(ctx, people, plan, c.id);
  return c.id;
}

async function advance(ctx: RunContext, people: People, plan: CasePlan, caseId: number): Promise<void> {
  const step = (user: CurrentUser, action: Parameters<typeof transition>[3]) =>
    transition(ctx.db, user, caseId, action);
  if (plan.fate === 'listed') return;
  await step(people.township, { action: 'start' });
  if (plan.fate === 'rectifying') return;
  await step(people.township, { action: 'request_evaluation' });
  const self: SessionPlan = {
    villageId: plan.villageId,
    kind: 'self_evaluation',
    title: `${plan.year}年度${plan.villageName}村级自评`,
    shape: plan.shape,
    seed: plan.seed,
    caseId,
    end: plan.fate === 'evaluating_open' ? 'open' : plan.fate === 'evaluating_draft' ? 'draft' : 'closed',
  };
  await runSession(ctx, people.township, self, people.township);
  if (!AFTER_APPLY.includes(plan.fate)) return;
  await step(people.village as CurrentUser, { action: 'apply' });
  if (plan.fate === 'applied') return;
  await step(people.township, { action: 'receive' });
  if (plan.fate === 'township_check') return;
  await step(people.township, { action: 'township_pass' });
  if (!AFTER_TOWNSHIP.includes(plan.fate) || plan.fate === 'county_acceptance') return;
  const callback: SessionPlan = {
    ...self,
    kind: 'county_callback',
    title: `${plan.year}年度${plan.villageName}县级回访`,
    seed: plan.seed + 1,
    end: 'closed',
  };
  await runSession(ctx, people.county, callback, people.county);
  await scoreVillage(ctx.db, people.township, plan.villageId, {
    year: plan.year,
    items: await scores(ctx.db, people, plan.year, 72),
  });
  await step(people.county, { action: 'county_pass' });
  await step(people.city, { action: 'city_pass' });
  if (plan.fate === 'monitoring') await step(people.county, { action: 'monitor' });
}
