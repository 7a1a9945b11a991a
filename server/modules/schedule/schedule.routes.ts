import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Db } from '../../db/database.ts';
import { AppError } from '../../errors.ts';
import { userOf } from '../../plugins/auth.ts';
import { IMPORT_CONTENT_TYPES } from '../regions/regions.schemas.ts';
import { IdParams, SessionViewSchema } from '../sessions/sessions.schemas.ts';
import { EVALUATION_ROLES } from '../sessions/sessions.rules.ts';
import type { JobQueue } from './schedule.jobs.ts';
import { readResidentsFile, RESIDENTS_BODY_LIMIT } from './residents.service.ts';
import {
  BatchBody,
  BatchReply,
  PreviewReply,
  ResidentsFileQuery,
  ResidentsFileReply,
  ScheduleBody,
} from './schedule.schemas.ts';
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

  // The residents file is the raw file as the body: its parser and limit exist only in this
  // encapsulated context, every other route keeps the app's small JSON limit.
  await app.register(residentsFileRoute);
};

const residentsFileRoute: FastifyPluginAsyncTypebox = async (upload) => {
  upload.addContentTypeParser(
    IMPORT_CONTENT_TYPES,
    { parseAs: 'buffer', bodyLimit: RESIDENTS_BODY_LIMIT },
    (_request, body, done) => done(null, body),
  );
  upload.post(
    '/api/session-batches/residents-file',
    {
      schema: {
        tags,
        summary: '读取在村人数表（.xlsx / .csv，列：村名、到会人数）：只读取并返回各行，不保存、不创建任何东西',
        querystring: ResidentsFileQuery,
        response: { 200: ResidentsFileReply },
      },
      onRequest: upload.requireUser(BATCH_ROLES),
    },
    async (request) => {
      if (request.body === undefined || request.body === null) throw new AppError('INVALID_FILE', '文件为空');
      if (!Buffer.isBuffer(request.body)) {
        throw new AppError(
          'UNSUPPORTED_MEDIA_TYPE',
          '请以 .xlsx、text/csv 或 application/octet-stream 类型上传文件本身',
        );
      }
      return readResidentsFile({ filename: request.query.filename, bytes: request.body });
    },
  );
};

export default scheduleRoutes;
