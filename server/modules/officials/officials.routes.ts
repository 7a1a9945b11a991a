import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Db } from '../../db/database.ts';
import { userOf } from '../../plugins/auth.ts';
import {
  CreateDepartmentBody,
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

  // 行业部门 accounts of the caller's county (年内动态排查): the county creates and lists its own.
  const county = app.requireUser(['county']);
  app.get(
    '/api/department-accounts',
    {
      schema: { tags, summary: '本县的行业部门账户（县委组织部）', response: { 200: OfficialListReply } },
      onRequest: county,
    },
    async (request) => ({ officials: await officials.listDepartmentAccounts(db, userOf(request)) }),
  );

  app.post(
    '/api/department-accounts',
    {
      schema: {
        tags,
        summary: '为本县新建行业部门账户（县委组织部）；生成的密码只在此次回复中出现',
        body: CreateDepartmentBody,
        response: { 201: CreatedOfficialReply },
      },
      onRequest: county,
    },
    async (request, reply) =>
      reply.status(201).send(await officials.createDepartmentAccount(db, userOf(request), request.body)),
  );
};

export default officialsRoutes;
