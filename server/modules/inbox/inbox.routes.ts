import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Db } from '../../db/database.ts';
import { userOf } from '../../plugins/auth.ts';
import { EVALUATION_ROLES } from '../sessions/sessions.rules.ts';
import { InboxReply } from './inbox.schemas.ts';
import { getInbox } from './inbox.service.ts';

const inboxRoutes: FastifyPluginAsyncTypebox<{ db: Db }> = async (app, { db }) => {
  app.get(
    '/api/inbox',
    {
      schema: {
        tags: ['inbox'],
        summary:
          '待办：待确认在村人数、待处理的案件、超期问题、今天应结束的测评、部门报送、待审议或被退回的认定名单、待排查的报送（本辖区，按本级职责）',
        response: { 200: InboxReply },
      },
      onRequest: app.requireUser(EVALUATION_ROLES),
    },
    async (request) => getInbox(db, userOf(request)),
  );
};

export default inboxRoutes;
