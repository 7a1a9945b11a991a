import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Db } from '../../db/database.ts';
import { userOf } from '../../plugins/auth.ts';
import { SessionViewSchema } from '../sessions/sessions.schemas.ts';
import { CASE_ROLES } from './cases.rules.ts';
import {
  CaseIdParams,
  CaseListQuery,
  CaseListReply,
  CaseSessionBody,
  CaseViewSchema,
  CreateCaseBody,
  NewProblemBody,
  PatchCaseBody,
  PatchProblemBody,
  ProblemParams,
  ProblemSchema,
  TransitionBody,
} from './cases.schemas.ts';
import * as cases from './cases.service.ts';
import * as steps from './transitions.service.ts';

const tags = ['cases'];

const casesRoutes: FastifyPluginAsyncTypebox<{ db: Db }> = async (app, { db }) => {
  const onRequest = app.requireUser(CASE_ROLES);
  const one = { params: CaseIdParams, response: { 200: CaseViewSchema } };

  app.post(
    '/api/cases',
    {
      schema: {
        tags,
        summary: '把村列为整顿对象（县、市组织部）',
        body: CreateCaseBody,
        response: { 201: CaseViewSchema },
      },
      onRequest,
    },
    async (request, reply) => reply.status(201).send(await cases.createCase(db, userOf(request), request.body)),
  );

  app.get(
    '/api/cases',
    {
      schema: {
        tags,
        summary: '本辖区的整顿案件（红灯在前，再按乡镇、村）',
        querystring: CaseListQuery,
        response: { 200: CaseListReply },
      },
      onRequest,
    },
    async (request) => ({ cases: await cases.listCases(db, userOf(request), request.query) }),
  );

  app.get(
    '/api/cases/inbox',
    { schema: { tags, summary: '等待本级处理的整顿案件', response: { 200: CaseListReply } }, onRequest },
    async (request) => ({ cases: await cases.listInbox(db, userOf(request)) }),
  );

  app.get(
    '/api/cases/:id',
    { schema: { tags, summary: '整顿案件：流程、问题清单、测评、历史', ...one }, onRequest },
    async (request) => cases.getCase(db, userOf(request), request.params.id),
  );

  app.patch(
    '/api/cases/:id',
    {
      schema: { tags, summary: '修改整顿案件（按角色可改的字段；退出后不能修改）', body: PatchCaseBody, ...one },
      onRequest,
    },
    async (request) => cases.updateCase(db, userOf(request), request.params.id, request.body),
  );

  app.post(
    '/api/cases/:id/transitions',
    { schema: { tags, summary: '推进或退回整顿案件（验收流程的一步）', body: TransitionBody, ...one }, onRequest },
    async (request) => steps.transition(db, userOf(request), request.params.id, request.body),
  );

  app.post(
    '/api/cases/:id/problems',
    {
      schema: {
        tags,
        summary: '问题清单：新增问题',
        params: CaseIdParams,
        body: NewProblemBody,
        response: { 201: ProblemSchema },
      },
      onRequest,
    },
    async (request, reply) =>
      reply.status(201).send(await cases.addProblem(db, userOf(request), request.params.id, request.body)),
  );

  app.patch(
    '/api/cases/:id/problems/:problemId',
    {
      schema: {
        tags,
        summary: '问题清单：修改问题或销号',
        params: ProblemParams,
        body: PatchProblemBody,
        response: { 200: ProblemSchema },
      },
      onRequest,
    },
    async (request) =>
      cases.updateProblem(db, userOf(request), request.params.id, request.params.problemId, request.body),
  );

  app.post(
    '/api/cases/:id/sessions',
    {
      schema: {
        tags,
        summary: '为案件组织测评（村级自评、乡镇初验、县级回访、回头看；问卷和规则取自整顿工作）',
        params: CaseIdParams,
        body: CaseSessionBody,
        response: { 201: SessionViewSchema },
      },
      onRequest,
    },
    async (request, reply) =>
      reply.status(201).send(await steps.createCaseSession(db, userOf(request), request.params.id, request.body)),
  );
};

export default casesRoutes;
