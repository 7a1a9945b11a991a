import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Db } from '../../db/database.ts';
import { userOf } from '../../plugins/auth.ts';
import * as lifecycle from './lifecycle.service.ts';
import {
  CertifyBody,
  ConfirmBody,
  CreateSessionBody,
  EventsReply,
  IdParams,
  ListQuery,
  PatchSessionBody,
  SessionContextQuery,
  SessionContextReply,
  SessionListReply,
  SessionViewSchema,
  VillageParams,
  VoidBody,
} from './sessions.schemas.ts';
import { EVALUATION_ROLES } from './sessions.rules.ts';
import * as sessions from './sessions.service.ts';
import * as serving from './serving.service.ts';

const tags = ['sessions'];

const sessionsRoutes: FastifyPluginAsyncTypebox<{ db: Db }> = async (app, { db }) => {
  const onRequest = app.requireUser(EVALUATION_ROLES);
  const one = { params: IdParams, response: { 200: SessionViewSchema } };

  app.post(
    '/api/sessions',
    {
      schema: {
        tags,
        summary: '为村新建测评场次（问卷、规则默认为模板）',
        body: CreateSessionBody,
        response: { 201: SessionViewSchema },
      },
      onRequest,
    },
    async (request, reply) => reply.status(201).send(await sessions.createSession(db, userOf(request), request.body)),
  );

  app.get(
    '/api/villages/:id/session-context',
    {
      schema: {
        tags,
        summary: '新建测评前：该村的测评将计入哪个整顿案件（或不计入任何案件）',
        params: VillageParams,
        querystring: SessionContextQuery,
        response: { 200: SessionContextReply },
      },
      onRequest,
    },
    async (request) =>
      serving.sessionContext(db, userOf(request), request.params.id, request.query.kind ?? 'self_evaluation'),
  );

  app.get(
    '/api/sessions',
    {
      schema: {
        tags,
        summary: '本辖区的测评场次（新的在前，分页：nextCursor 作为 cursor 取下一页）',
        querystring: ListQuery,
        response: { 200: SessionListReply },
      },
      onRequest,
    },
    async (request) => sessions.listSessions(db, userOf(request), request.query),
  );

  app.get('/api/sessions/:id', { schema: { tags, summary: '测评场次', ...one }, onRequest }, async (request) =>
    sessions.getSession(db, userOf(request), request.params.id),
  );

  app.patch(
    '/api/sessions/:id',
    {
      schema: { tags, summary: '修改草稿（改在村人数须重新确认）', body: PatchSessionBody, ...one },
      onRequest,
    },
    async (request) => sessions.updateSession(db, userOf(request), request.params.id, request.body),
  );

  app.post(
    '/api/sessions/:id/confirm-residents',
    {
      schema: { tags, summary: '乡镇（或县、市）核对并确认在村人数：再次输入人数', body: ConfirmBody, ...one },
      onRequest,
    },
    async (request) => sessions.confirmResidents(db, userOf(request), request.params.id, request.body.residentsPresent),
  );

  app.post(
    '/api/sessions/:id/open',
    { schema: { tags, summary: '开始测评（在村人数须已确认；问卷从此冻结）', ...one }, onRequest },
    async (request) => lifecycle.openSession(db, userOf(request), request.params.id),
  );

  app.post(
    '/api/sessions/:id/close',
    { schema: { tags, summary: '结束测评：计票、判定、写入结果', ...one }, onRequest },
    async (request) => lifecycle.closeSession(db, userOf(request), request.params.id),
  );

  app.post(
    '/api/sessions/:id/certify',
    { schema: { tags, summary: '记录主持人、监票人、计票人并确认结果', body: CertifyBody, ...one }, onRequest },
    async (request) => lifecycle.certifySession(db, userOf(request), request.params.id, request.body),
  );

  app.post(
    '/api/sessions/:id/void',
    { schema: { tags, summary: '作废测评（须说明原因；已确认的不能作废）', body: VoidBody, ...one }, onRequest },
    async (request) => lifecycle.voidSession(db, userOf(request), request.params.id, request.body.reason),
  );

  app.get(
    '/api/sessions/:id/events',
    { schema: { tags, summary: '测评场次的变更记录', params: IdParams, response: { 200: EventsReply } }, onRequest },
    async (request) => ({ events: await sessions.listSessionEvents(db, userOf(request), request.params.id) }),
  );
};

export default sessionsRoutes;
