import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Db } from '../../db/database.ts';
import { userOf } from '../../plugins/auth.ts';
import { EVALUATION_ROLES } from '../sessions/sessions.rules.ts';
import { PublicSessionParams, ReceiptsReply, SessionParams, TallyReply } from './tallies.schemas.ts';
import * as tallies from './tallies.service.ts';

const tags = ['tallies'];

const talliesRoutes: FastifyPluginAsyncTypebox<{ db: Db }> = async (app, { db }) => {
  app.get(
    '/api/sessions/:id/tally',
    {
      schema: {
        tags,
        summary: '实时参评情况；结束后另含各题结果与判定（测评中不显示结果）',
        params: SessionParams,
        response: { 200: TallyReply },
      },
      onRequest: app.requireUser(EVALUATION_ROLES),
    },
    async (request) => tallies.getTally(db, userOf(request), request.params.id),
  );

  app.get(
    '/api/public/sessions/:publicId/receipts',
    {
      schema: {
        tags,
        summary: '公布的回执名单（无需登录；测评结束后）：村民可核对自己的票已计入',
        params: PublicSessionParams,
        response: { 200: ReceiptsReply },
      },
      // A whole village checks after the meeting, often from one NAT address.
      config: { rateLimit: { max: 600, timeWindow: '1 minute' } },
    },
    async (request) => tallies.getPublishedReceipts(db, request.params.publicId),
  );
};

export default talliesRoutes;
