// Scheduled opens and closes run from pg-boss, a job queue in PostgreSQL (its own schema, pgboss):
// every instance of the service runs a worker, and pg-boss hands each job to one of them. A job is
// only a wake-up call: { sessionId, action, dueAt, officialId }. The work is done under the
// session's lock by the lifecycle service, which does nothing unless the stored time is still dueAt
// and the step is still to be done (schedule.rules runDecision). So a job for a time since changed
// does nothing, and a duplicate (pg-boss retries after a crash; every instance enqueues the pending
// schedules when it starts) changes nothing either.
//
// A job is enqueued in the transaction that stores the time (send with the transaction as its db),
// so a stored time always has its job. The workers use their own small pool, made by createDatabase
// like the service's, so a lost connection is logged and replaced, never fatal (db/faults.ts); every
// other pg-boss failure arrives as its 'error' event and is logged too.
import { CompiledQuery, type Transaction } from 'kysely';
import PgBoss from 'pg-boss';
import { createDatabase, type Db } from '../../db/database.ts';
import type { DB } from '../../db/schema.ts';
import { describeDbError } from '../../db/faults.ts';
import { AppError } from '../../errors.ts';
import { actingOfficial } from '../officials/officials.service.ts';
import { closeSession, openSession, type ScheduledRun } from '../sessions/lifecycle.service.ts';
import * as repo from './schedule.repository.ts';
import { runDecision, type ScheduledAction } from './schedule.rules.ts';

export const QUEUE: Record<ScheduledAction, string> = { open: 'session-open', close: 'session-close' };
const SCHEMA = 'pgboss';

export interface RunJob {
  sessionId: number;
  action: ScheduledAction;
  /** ISO time: the stored time this job was made for */
  dueAt: string;
  officialId: number;
}

export interface JobQueue {
  /** Enqueue in the caller's transaction: the job exists exactly when the transaction commits. */
  enqueue(trx: Transaction<DB>, job: RunJob): Promise<void>;
}

type Executor = { executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[] }> };

function executorOf(db: Db | Transaction<DB>): Executor {
  return {
    executeSql: async (text, values = []) => ({ rows: (await db.executeQuery(CompiledQuery.raw(text, values))).rows }),
  };
}

const SEND_OPTIONS = { retryLimit: 20, retryDelay: 15, retryBackoff: true, expireInSeconds: 15 * 60 };

async function send(boss: PgBoss, db: Executor, job: RunJob): Promise<void> {
  const id = await boss.send(QUEUE[job.action], job, { ...SEND_OPTIONS, startAfter: job.dueAt, db });
  if (id === null) throw new AppError('DATABASE_UNAVAILABLE', '定时服务尚未就绪（任务队列未建立），请稍后再试');
}

/** Enqueues only (no worker): what the routes use. Needs the queues (startScheduler or prepareQueues). */
export function createJobQueue(): JobQueue {
  // never started: send writes through the db given with each job
  const boss = new PgBoss({ db: { executeSql: () => Promise.reject(new Error('unused')) }, schema: SCHEMA });
  return { enqueue: (trx, job) => send(boss, executorOf(trx), job) };
}

export interface SchedulerLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface SchedulerOptions {
  url: string;
  /** the service's database, for the work itself */
  db: Db;
  log: SchedulerLog;
  /** how often an idle worker looks for due jobs (pg-boss polls; default 2 s) */
  pollingIntervalSeconds?: number;
  /** run the workers (default true); false only creates the queues */
  work?: boolean;
}

export interface Scheduler {
  stop(): Promise<void>;
}

/** One job: the lifecycle function the routes use, as the official who scheduled it. */
export async function runJob(db: Db, job: RunJob, log: SchedulerLog): Promise<void> {
  const acting = await actingOfficial(db, job.officialId);
  if (!acting) return log.warn({ job }, '定时任务的安排人不存在，已跳过');
  const dueAt = new Date(job.dueAt);
  const run: ScheduledRun = {
    dueAt,
    check: (row) =>
      runDecision(
        job.action,
        {
          status: row.status,
          scheduledOpenAt: row.scheduledOpenAt?.getTime() ?? null,
          scheduledCloseAt: row.scheduledCloseAt?.getTime() ?? null,
          residentsConfirmed: row.residentsConfirmedAt !== null,
          issued: row.issued,
        },
        dueAt.getTime(),
        acting.disabled,
      ),
  };
  try {
    await (job.action === 'open' ? openSession : closeSession)(db, acting.user, job.sessionId, run);
  } catch (err) {
    // refused for a reason runDecision did not foresee: retrying would be refused again
    if (!(err instanceof AppError) || err.code === 'DATABASE_UNAVAILABLE') throw err;
    log.warn({ job, code: err.code, reason: err.message }, '定时任务未执行');
  }
}

async function createQueues(boss: PgBoss): Promise<void> {
  for (const name of Object.values(QUEUE)) await boss.createQueue(name, { name, policy: 'standard' });
}

/** Creates pg-boss's schema and the two queues when missing, without any worker (idempotent; safe
 * from several instances at once): for tools and scripts that run the app without startScheduler. */
export async function prepareQueues(db: Db): Promise<void> {
  const boss = new PgBoss({ db: executorOf(db), schema: SCHEMA, schedule: false, supervise: false, migrate: true });
  boss.on('error', () => undefined);
  await boss.start();
  try {
    await createQueues(boss);
  } finally {
    await boss.stop({ graceful: false, wait: true }).catch(() => undefined);
  }
}

/** Starts pg-boss on its own pool, creates the queues, runs the workers and enqueues what is pending. */
export async function startScheduler(o: SchedulerOptions): Promise<Scheduler> {
  const pool = createDatabase(o.url, {
    max: 3,
    applicationName: 'village-eval-jobs',
    onError: (err) => o.log.warn({ cause: describeDbError(err) }, '任务队列的数据库连接中断，将在数据库恢复后重新连接'),
  });
  const db: Executor = { executeSql: (text, values) => pool.pool.query(text, values) };
  const boss = new PgBoss({ db, schema: SCHEMA, schedule: false, supervise: true, migrate: true });
  boss.on('error', (err) => o.log.warn({ cause: describeDbError(err) }, '任务队列出错，稍后重试'));
  try {
    await boss.start();
    await createQueues(boss);
    if (o.work !== false) {
      const options = { pollingIntervalSeconds: o.pollingIntervalSeconds ?? 2, batchSize: 1 };
      for (const action of ['open', 'close'] as const) {
        await boss.work<RunJob>(QUEUE[action], options, async (jobs) => {
          for (const j of jobs) await runJob(o.db, j.data, o.log);
        });
      }
      await enqueuePending(boss, o.db, db, o.log);
    }
  } catch (err) {
    await boss.stop({ graceful: false, wait: true }).catch(() => undefined);
    await pool.close().catch(() => undefined);
    throw err;
  }
  return {
    stop: async () => {
      await boss.stop({ graceful: true, timeout: 10_000, wait: true }).catch(() => undefined);
      await pool.close().catch(() => undefined);
    },
  };
}

/** A job for every time not yet carried out: covers jobs lost or given up on during a long outage. */
async function enqueuePending(boss: PgBoss, serviceDb: Db, queueDb: Executor, log: SchedulerLog): Promise<void> {
  let sent = 0;
  for (const p of await repo.listPending(serviceDb)) {
    if (p.officialId === null) continue;
    const base = { sessionId: p.sessionId, officialId: p.officialId };
    if (p.openAt) await send(boss, queueDb, { ...base, action: 'open', dueAt: p.openAt.toISOString() });
    if (p.closeAt) await send(boss, queueDb, { ...base, action: 'close', dueAt: p.closeAt.toISOString() });
    sent++;
  }
  if (sent > 0) log.info({ sessions: sent }, '已为待执行的定时开始、结束重新排队');
}
