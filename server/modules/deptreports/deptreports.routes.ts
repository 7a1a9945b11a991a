import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Db } from '../../db/database.ts';
import { userOf } from '../../plugins/auth.ts';
import {
  CreateBody,
  FormReply,
  IdParams,
  ListQuery,
  ListReply,
  ReportViewSchema,
  TextBody,
} from './deptreports.schemas.ts';
import * as reports from './deptreports.service.ts';

const tags = ['dept-reports'];
const one = { params: IdParams, response: { 200: ReportViewSchema } };

const deptReportsRoutes: FastifyPluginAsyncTypebox<{ db: Db }> = async (app, { db }) => {
  const readers = app.requireUser(reports.READER_ROLES);

  app.get(
    '/api/dept-reports',
    {
      schema: {
        tags,
        summary: '部门报送列表：行业部门看自己报送的，乡镇、县、市看辖区内村的（新的在前）',
        querystring: ListQuery,
        response: { 200: ListReply },
      },
      onRequest: readers,
    },
    async (request) => reports.listReports(db, userOf(request), request.query),
  );

  app.get(
    '/api/dept-reports/form',
    {
      schema: {
        tags,
        summary: '新建报送所需：本部门名称、本县乡镇和村、问题类别（行业部门）',
        response: { 200: FormReply },
      },
      onRequest: app.requireUser(['department']),
    },
    async (request) => reports.getForm(db, userOf(request)),
  );

  app.post(
    '/api/dept-reports',
    {
      schema: {
        tags,
        summary: '报送本县一个村的问题（行业部门）；报送后不能撤回',
        body: CreateBody,
        response: { 201: ReportViewSchema },
      },
      onRequest: app.requireUser(['department']),
    },
    async (request, reply) => reply.status(201).send(await reports.createReport(db, userOf(request), request.body)),
  );

  app.get(
    '/api/dept-reports/:id',
    { schema: { tags, summary: '一份报送及其处理记录', ...one }, onRequest: readers },
    async (request) => reports.getReport(db, userOf(request), request.params.id),
  );

  app.post(
    '/api/dept-reports/:id/dismiss',
    { schema: { tags, summary: '驳回报送，须写理由（县委组织部）', body: TextBody, ...one }, onRequest: readers },
    async (request) => reports.dismissReport(db, userOf(request), request.params.id, request.body.text),
  );

  app.post(
    '/api/dept-reports/:id/request-screening',
    {
      schema: { tags, summary: '据报送对该村启动即时风险排查（县委组织部）', ...one },
      onRequest: readers,
    },
    async (request) => reports.requestScreening(db, userOf(request), request.params.id),
  );

  app.post(
    '/api/dept-reports/:id/notes',
    { schema: { tags, summary: '乡镇对报送写备注（乡镇党委）', body: TextBody, ...one }, onRequest: readers },
    async (request) => reports.addNote(db, userOf(request), request.params.id, request.body.text),
  );
};

export default deptReportsRoutes;
