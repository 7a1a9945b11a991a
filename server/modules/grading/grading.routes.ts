import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Db } from '../../db/database.ts';
import { userOf } from '../../plugins/auth.ts';
import {
  CreateSheetBody,
  IdParams,
  PutSheetBody,
  RegionYearQuery,
  ScoringBody,
  SheetQuery,
  SheetReply,
  SheetViewSchema,
  VillageGradeViewSchema,
  VillageParams,
  VillagesReply,
  YearQuery,
} from './grading.schemas.ts';
import * as grading from './grading.service.ts';
import * as sheets from './grading.sheets.service.ts';

const tags = ['grading'];

const gradingRoutes: FastifyPluginAsyncTypebox<{ db: Db }> = async (app, { db }) => {
  const readers = app.requireUser(grading.GRADING_READERS);

  app.get(
    '/api/grading/sheet',
    {
      schema: {
        tags,
        summary: '县的年度堡垒指数评分表（未建立时为 null，附可复制的上一年度）',
        querystring: SheetQuery,
        response: { 200: SheetReply },
      },
      onRequest: readers,
    },
    async (request) => sheets.getSheet(db, userOf(request), request.query),
  );

  app.post(
    '/api/grading/sheets',
    {
      schema: {
        tags,
        summary: '建立年度评分表（县委组织部）：用默认评分表，或复制上一年度的',
        body: CreateSheetBody,
        response: { 201: SheetViewSchema },
      },
      onRequest: app.requireUser(['county']),
    },
    async (request, reply) => reply.status(201).send(await sheets.createSheet(db, userOf(request), request.body)),
  );

  app.put(
    '/api/grading/sheets/:id',
    {
      schema: {
        tags,
        summary: '修改评分表（县委组织部）：已有村评分后只能改文字',
        params: IdParams,
        body: PutSheetBody,
        response: { 200: SheetViewSchema },
      },
      onRequest: app.requireUser(['county']),
    },
    async (request) => sheets.putSheet(db, userOf(request), request.params.id, request.body),
  );

  app.get(
    '/api/grading/villages',
    {
      schema: {
        tags,
        summary: '辖区内各村的年度堡垒指数（总分、等次、评定规则）',
        querystring: RegionYearQuery,
        response: { 200: VillagesReply },
      },
      onRequest: readers,
    },
    async (request) => grading.listVillages(db, userOf(request), request.query),
  );

  app.get(
    '/api/grading/villages/:villageId',
    {
      schema: {
        tags,
        summary: '一个村的年度评分表：各项得分和说明、总分、等次及以往评分',
        params: VillageParams,
        querystring: YearQuery,
        response: { 200: VillageGradeViewSchema },
      },
      onRequest: app.requireUser(grading.VILLAGE_READERS),
    },
    async (request) => grading.getVillageGrade(db, userOf(request), request.params.villageId, request.query.year),
  );

  app.post(
    '/api/grading/villages/:villageId/scorings',
    {
      schema: {
        tags,
        summary: '乡镇逐项评分（每次评分另存一条，最新的一条有效）',
        params: VillageParams,
        body: ScoringBody,
        response: { 201: VillageGradeViewSchema },
      },
      onRequest: app.requireUser(grading.VILLAGE_READERS),
    },
    async (request, reply) =>
      reply.status(201).send(await grading.scoreVillage(db, userOf(request), request.params.villageId, request.body)),
  );
};

export default gradingRoutes;
