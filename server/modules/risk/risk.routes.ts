import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Db } from '../../db/database.ts';
import { userOf } from '../../plugins/auth.ts';
import {
  CreateListBody,
  IdParams,
  ListQuery,
  ListReply,
  ListViewSchema,
  PutListBody,
  RegionYearQuery,
  RiskVillagesReply,
  ScreeningBody,
  ScreeningViewSchema,
  VillageParams,
  YearQuery,
} from './risk.schemas.ts';
import * as lists from './risk.lists.service.ts';
import * as risk from './risk.service.ts';

const tags = ['risk'];

const riskRoutes: FastifyPluginAsyncTypebox<{ db: Db }> = async (app, { db }) => {
  const readers = app.requireUser(risk.RISK_READERS);

  app.get(
    '/api/risk/list',
    {
      schema: {
        tags,
        summary: '县的年度负面清单（未建立时为 null，附可复制的上一年度）',
        querystring: ListQuery,
        response: { 200: ListReply },
      },
      onRequest: readers,
    },
    async (request) => lists.getList(db, userOf(request), request.query),
  );

  app.post(
    '/api/risk/lists',
    {
      schema: {
        tags,
        summary: '建立年度负面清单（县委组织部）：用默认清单，或复制上一年度的',
        body: CreateListBody,
        response: { 201: ListViewSchema },
      },
      onRequest: app.requireUser(['county']),
    },
    async (request, reply) => reply.status(201).send(await lists.createList(db, userOf(request), request.body)),
  );

  app.put(
    '/api/risk/lists/:id',
    {
      schema: {
        tags,
        summary: '修改负面清单（县委组织部）：已有村排查后只能改文字',
        params: IdParams,
        body: PutListBody,
        response: { 200: ListViewSchema },
      },
      onRequest: app.requireUser(['county']),
    },
    async (request) => lists.putList(db, userOf(request), request.params.id, request.body),
  );

  app.get(
    '/api/risk/villages',
    {
      schema: {
        tags,
        summary: '辖区内须负向测评的村（本年度评定为弱村的）及其风险等级和建议',
        querystring: RegionYearQuery,
        response: { 200: RiskVillagesReply },
      },
      onRequest: readers,
    },
    async (request) => risk.listVillages(db, userOf(request), request.query),
  );

  app.get(
    '/api/risk/villages/:villageId',
    {
      schema: {
        tags,
        summary: '一个村的年度负向测评：各项标记和依据、风险等级、建议认定',
        params: VillageParams,
        querystring: YearQuery,
        response: { 200: ScreeningViewSchema },
      },
      onRequest: app.requireUser(risk.SCREENING_READERS),
    },
    async (request) => risk.getScreening(db, userOf(request), request.params.villageId, request.query.year),
  );

  app.post(
    '/api/risk/villages/:villageId/screenings',
    {
      schema: {
        tags,
        summary: '乡镇逐项排查（每次另存一条，最新的一条有效）',
        params: VillageParams,
        body: ScreeningBody,
        response: { 201: ScreeningViewSchema },
      },
      onRequest: app.requireUser(risk.SCREENING_READERS),
    },
    async (request, reply) =>
      reply.status(201).send(await risk.screenVillage(db, userOf(request), request.params.villageId, request.body)),
  );
};

export default riskRoutes;
