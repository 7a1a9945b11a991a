import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Db } from '../../db/database.ts';
import { userOf } from '../../plugins/auth.ts';
import { EVALUATION_ROLES } from '../sessions/sessions.rules.ts';
import { BatchesReply, BatchParams, BatchReply, IssueBody, IssueReply, SessionParams } from './slips.schemas.ts';
import * as slips from './slips.service.ts';

const tags = ['slips'];

const slipsRoutes: FastifyPluginAsyncTypebox<{ db: Db; publicUrl: string }> = async (app, { db, publicUrl }) => {
  const onRequest = app.requireUser(EVALUATION_ROLES);

  app.post(
    '/api/sessions/:id/slips',
    {
      schema: {
        tags,
        summary: '发放一批测评票（总数不超过在村人数）；票码只在此次回复中出现',
        params: SessionParams,
        body: IssueBody,
        response: { 201: IssueReply },
      },
      onRequest,
    },
    async (request, reply) => {
      const issued = await slips.issueSlips(db, userOf(request), request.params.id, request.body.count, publicUrl);
      // The reply holds the only copy of the tokens: no cache may keep it.
      return reply.status(201).header('Cache-Control', 'no-store').send(issued);
    },
  );

  app.get(
    '/api/sessions/:id/batches',
    {
      schema: {
        tags,
        summary: '已发放的各批测评票（不含票码）',
        params: SessionParams,
        response: { 200: BatchesReply },
      },
      onRequest,
    },
    async (request) => ({ batches: await slips.listBatches(db, userOf(request), request.params.id) }),
  );

  app.post(
    '/api/sessions/:id/batches/:batchId/void',
    {
      schema: { tags, summary: '作废一批中尚未使用的测评票', params: BatchParams, response: { 200: BatchReply } },
      onRequest,
    },
    async (request) => ({
      batch: await slips.voidBatch(db, userOf(request), request.params.id, request.params.batchId),
    }),
  );
};

export default slipsRoutes;
