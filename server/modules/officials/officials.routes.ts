import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Db } from '../../db/database.ts';
import { userOf } from '../../plugins/auth.ts';
import {
  CreatedOfficialReply,
  CreateOfficialBody,
  IdParams,
  OfficialListReply,
  OfficialReply,
  PasswordReply,
} from './officials.schemas.ts';
import * as officials from './officials.service.ts';

const tags = ['officials'];

const officialsRoutes: FastifyPluginAsyncTypebox<{ db: Db }> = async (app, { db }) => {
  const onRequest = app.requireUser(['admin']);

  app.get(
    '/api/officials',
    { schema: { tags, summary: '本辖区的账户列表（管理员）', response: { 200: OfficialListReply } }, onRequest },
    async (request) => ({ officials: await officials.listOfficials(db, userOf(request)) }),
  );

  app.post(
    '/api/officials',
    {
      schema: {
        tags,
        summary: '新建账户（管理员）；未给密码时生成一个，只在此次回复中出现',
        body: CreateOfficialBody,
        response: { 201: CreatedOfficialReply },
      },
      onRequest,
    },
    async (request, reply) => {
      const created = await officials.createOfficial(db, userOf(request), request.body);
      return reply.status(201).send(created);
    },
  );

  app.post(
    '/api/officials/:id/disable',
    {
      schema: { tags, summary: '停用账户并结束其所有会话', params: IdParams, response: { 200: OfficialReply } },
      onRequest,
    },
    async (request) => ({
      official: await officials.setOfficialDisabled(db, userOf(request), request.params.id, true),
    }),
  );

  app.post(
    '/api/officials/:id/enable',
    { schema: { tags, summary: '重新启用账户', params: IdParams, response: { 200: OfficialReply } }, onRequest },
    async (request) => ({
      official: await officials.setOfficialDisabled(db, userOf(request), request.params.id, false),
    }),
  );

  app.post(
    '/api/officials/:id/reset-password',
    {
      schema: {
        tags,
        summary: '重置密码：生成新密码、结束会话、解除登录锁定',
        params: IdParams,
        response: { 200: PasswordReply },
      },
      onRequest,
    },
    async (request) => officials.resetOfficialPassword(db, userOf(request), request.params.id),
  );
};

export default officialsRoutes;
