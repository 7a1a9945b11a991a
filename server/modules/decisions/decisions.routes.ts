import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Db } from '../../db/database.ts';
import { userOf } from '../../plugins/auth.ts';
import {
  CaseIdentificationReply,
  CaseReviewBody,
  CreateListBody,
  IdParams,
  ListsReply,
  ListViewSchema,
  PreventionReviewBody,
  PreventionsReply,
  PreventionViewSchema,
  PutListBody,
  RegionYearQuery,
  StepBody,
} from './decisions.schemas.ts';
import * as decisions from './decisions.service.ts';
import * as prevention from './prevention.service.ts';

const tags = ['decisions'];

const decisionsRoutes: FastifyPluginAsyncTypebox<{ db: Db }> = async (app, { db }) => {
  const readers = app.requireUser(decisions.READERS);

  app.get(
    '/api/identification-lists',
    {
      schema: {
        tags,
        summary: '县（或乡镇）各乡镇的年度认定名单及其阶段',
        querystring: RegionYearQuery,
        response: { 200: ListsReply },
      },
      onRequest: readers,
    },
    async (request) => decisions.listLists(db, userOf(request), request.query),
  );

  app.post(
    '/api/identification-lists',
    {
      schema: {
        tags,
        summary: '乡镇建立年度认定名单：按本年度排查过的村预填排查建议',
        body: CreateListBody,
        response: { 201: ListViewSchema },
      },
      onRequest: app.requireUser(['township']),
    },
    async (request, reply) => reply.status(201).send(await decisions.createList(db, userOf(request), request.body)),
  );

  app.get(
    '/api/identification-lists/:id',
    {
      schema: {
        tags,
        summary: '一份认定名单：各村认定、依据和三级步骤',
        params: IdParams,
        response: { 200: ListViewSchema },
      },
      onRequest: readers,
    },
    async (request) => decisions.getList(db, userOf(request), request.params.id),
  );

  app.put(
    '/api/identification-lists/:id',
    {
      schema: {
        tags,
        summary: '乡镇保存名单各村的认定（仅拟定中；与排查建议不一致须写理由；带版本号）',
        params: IdParams,
        body: PutListBody,
        response: { 200: ListViewSchema },
      },
      onRequest: readers,
    },
    async (request) => decisions.putList(db, userOf(request), request.params.id, request.body),
  );

  app.post(
    '/api/identification-lists/:id/steps',
    {
      schema: {
        tags,
        summary: '三级认定的一步：乡镇党委会提交、部务会初步认定、常委会审定（列入整顿和重点防控），或退回',
        params: IdParams,
        body: StepBody,
        response: { 200: ListViewSchema },
      },
      onRequest: readers,
    },
    async (request) => decisions.takeStep(db, userOf(request), request.params.id, request.body),
  );

  app.get(
    '/api/prevention-records',
    {
      schema: {
        tags,
        summary: '重点防控村：辖区内某年度认定的防控记录和复核',
        querystring: RegionYearQuery,
        response: { 200: PreventionsReply },
      },
      onRequest: readers,
    },
    async (request) => prevention.listPreventions(db, userOf(request), request.query),
  );

  app.post(
    '/api/prevention-records/:id/reviews',
    {
      schema: {
        tags,
        summary: '县委组织部复核重点防控村：记录风险等级，调低防控措施等级或解除',
        params: IdParams,
        body: PreventionReviewBody,
        response: { 200: PreventionViewSchema },
      },
      onRequest: app.requireUser(['county']),
    },
    async (request) => prevention.reviewPrevention(db, userOf(request), request.params.id, request.body),
  );

  app.get(
    '/api/cases/:id/identification',
    {
      schema: {
        tags,
        summary: '案件的认定依据、退出后的风险复核和回头看（次年堡垒指数和排查）',
        params: IdParams,
        response: { 200: CaseIdentificationReply },
      },
      onRequest: app.requireUser(prevention.CASE_ROLES),
    },
    async (request) => prevention.caseIdentification(db, userOf(request), request.params.id),
  );

  app.post(
    '/api/cases/:id/risk-reviews',
    {
      schema: {
        tags,
        summary: '案件退出后，县委组织部记录该村新的风险等级',
        params: IdParams,
        body: CaseReviewBody,
        response: { 200: CaseIdentificationReply },
      },
      onRequest: app.requireUser(prevention.CASE_ROLES),
    },
    async (request) => prevention.reviewCase(db, userOf(request), request.params.id, request.body),
  );
};

export default decisionsRoutes;
