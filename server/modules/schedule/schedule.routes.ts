import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Db } from '../../db/database.ts';
import { userOf } from '../../plugins/auth.ts';
import { IdParams, SessionViewSchema } from '../sessions/sessions.schemas.ts';
import { EVALUATION_ROLES } from '../sessions/sessions.rules.ts';
import type { JobQueue } from './schedule.jobs.ts';
import { BatchBody, BatchReply, PreviewReply, ScheduleBody } from './schedule.schemas.ts';
import * as schedule from './schedule.service.ts';

const tags = ['schedule'];
/** Batches are a campaign tool of the township and the county. */
const BATCH_ROLES = ['township', 'county'] as const;

const scheduleRoutes: FastifyPluginAsyncTypebox<{ db: Db; jobs: JobQueue }> = async (app, { db, jobs }) => {
  const batchUser = app.requireUser(BATCH_ROLES);

  app.post(
    '/api/session-batches/preview',
    {
      schema: {
        tags,
        summary: '批量安排预览：每个村将创建的测评、所属整顿案件和不能创建的原因（不创建任何东西）',
        body: BatchBody,
        response: { 200: PreviewReply },
      },
      onRequest: batchUser,
    },
    async (request) => schedule.previewBatch(db, userOf(request), request.body),
  );

  app.post(
    '/api/session-batches',
    {
      schema: {
        tags,
        summary: '为多个村一次创建同一类测评，可定时开始、结束（先整批检查：任何一村不能创建则一个也不创建）',
        body: BatchBody,
        response: { 201: BatchReply },
      },
      onRequest: batchUser,
    },
    async (request, reply) =>
      reply.status(201).send(await schedule.createBatch(db, jobs, userOf(request), request.body)),
  );

  app.patch(
    '/api/sessions/:id/schedule',
    {
      schema: {
        tags,
        summary: '设置、修改或取消（null）定时开始和结束：草稿可改两者，测评中只可改结束时间',
        params: IdParams,
        body: ScheduleBody,
        response: { 200: SessionViewSchema },
      },
      onRequest: app.requireUser(EVALUATION_ROLES),
    },
    async (request) => schedule.setSchedule(db, jobs, userOf(request), request.params.id, request.body),
  );
};

export default scheduleRoutes;
