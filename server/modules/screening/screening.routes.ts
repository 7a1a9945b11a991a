import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Db } from '../../db/database.ts';
import { userOf } from '../../plugins/auth.ts';
import { IdParams, OpenBody, RoundQuery, RoundReply } from './screening.schemas.ts';
import * as rounds from './screening.service.ts';

const tags = ['screening'];

const screeningRoutes: FastifyPluginAsyncTypebox<{ db: Db }> = async (app, { db }) => {
  const readers = app.requireUser(rounds.ROUND_READERS);

  app.get(
    '/api/screening-rounds',
    {
      schema: {
        tags,
        summary: '年度排查：县的本年度排查及各乡镇覆盖情况（未完成的村及原因）；市看各县，乡镇看本乡镇',
        querystring: RoundQuery,
        response: { 200: RoundReply },
      },
      onRequest: readers,
    },
    async (request) => rounds.getRounds(db, userOf(request), request.query),
  );

  app.post(
    '/api/screening-rounds',
    {
      schema: {
        tags,
        summary: '开启本县年度排查（县委组织部），每县每年一次',
        body: OpenBody,
        response: { 201: RoundReply },
      },
      onRequest: app.requireUser(['county']),
    },
    async (request, reply) => reply.status(201).send(await rounds.openRound(db, userOf(request), request.body)),
  );

  app.post(
    '/api/screening-rounds/:id/conclude',
    {
      schema: {
        tags,
        summary: '结束年度排查（县委组织部）：全部村完成排查后才能结束（应纳尽纳），结束后不可撤销',
        params: IdParams,
        response: { 200: RoundReply },
      },
      onRequest: app.requireUser(['county']),
    },
    async (request) => rounds.concludeRound(db, userOf(request), request.params.id),
  );
};

export default screeningRoutes;
