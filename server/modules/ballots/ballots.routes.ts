import { normalizeIP } from '@fastify/rate-limit';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest, onErrorHookHandler } from 'fastify';
import type { Db } from '../../db/database.ts';
import { AppError } from '../../errors.ts';
import { userOf } from '../../plugins/auth.ts';
import { createFailureLimiter } from './ballots.limiter.ts';
import {
  PaperBody,
  QuestionnaireBody,
  QuestionnaireReply,
  ReceiptReply,
  SessionIdParams,
  SubmitBody,
} from './ballots.schemas.ts';
import * as ballots from './ballots.service.ts';

const tags = ['ballots'];

// Every route here is a POST: no GET of any URL consumes or reveals anything by token (chat apps
// and scanners prefetch links). Failed slip lookups are counted per address (per official for
// paper entry) and slowed past a limit; see ballots.limiter.ts for why nothing else is.
const ballotsRoutes: FastifyPluginAsyncTypebox<{ db: Db; redisUrl?: string | undefined }> = async (
  app,
  { db, redisUrl },
) => {
  const limiter = createFailureLimiter({
    redisUrl,
    onStoreError: (err) => app.log.warn({ err: err.message }, 'slip failure counter unavailable'),
  });
  app.addHook('onClose', () => limiter.close());

  // Only misses reach the limiter (after the lookup), so a valid code is never refused or slowed.
  const countMisses = (keyOf: (request: FastifyRequest) => string): { onError: onErrorHookHandler } => ({
    onError: async (request, _reply, err) => {
      if (err instanceof AppError && err.code === 'SLIP_NOT_FOUND') await limiter.miss(keyOf(request));
    },
  });
  const byAddress = countMisses((request) => `ip:${normalizeIP(request.ip, 64)}`);
  const byOfficial = countMisses((request) => `official:${userOf(request).id}`);

  app.post(
    '/api/ballot/questionnaire',
    {
      schema: {
        tags,
        summary: '凭测评票的码取得问卷（不消耗测评票）',
        body: QuestionnaireBody,
        response: { 200: QuestionnaireReply },
      },
      ...byAddress,
    },
    async (request) => ballots.getQuestionnaire(db, request.body.token),
  );

  app.post(
    '/api/ballots',
    {
      schema: {
        tags,
        summary: '投票：201 首次提交；200 同一 clientId 的重试（同一回执）',
        body: SubmitBody,
        response: { 200: ReceiptReply, 201: ReceiptReply },
      },
      ...byAddress,
    },
    async (request, reply) => {
      const { receipt, created } = await ballots.submitBallot(db, request.body);
      return reply.status(created ? 201 : 200).send({ receipt });
    },
  );

  app.post(
    '/api/sessions/:id/paper-ballots',
    {
      schema: {
        tags,
        summary: '录入纸质测评票（消耗该测评票，与线上投票相同）',
        params: SessionIdParams,
        body: PaperBody,
        response: { 200: ReceiptReply, 201: ReceiptReply },
      },
      onRequest: app.requireUser(['village', 'township', 'county', 'city']),
      ...byOfficial,
    },
    async (request, reply) => {
      const { receipt, created } = await ballots.enterPaperBallot(db, userOf(request), request.params.id, request.body);
      return reply.status(created ? 201 : 200).send({ receipt });
    },
  );
};

export default ballotsRoutes;
