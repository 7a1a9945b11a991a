import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Db } from '../../db/database.ts';
import { userOf } from '../../plugins/auth.ts';
import { CaseListQuery } from '../cases/cases.schemas.ts';
import { EVALUATION_ROLES } from '../sessions/sessions.rules.ts';
import { SessionsExportQuery, XLSX_TYPE, XlsxReply } from './reports.schemas.ts';
import * as reports from './reports.service.ts';
import { sendWorkbook as send } from './reports.reply.ts';

const tags = ['reports'];
const response = { 200: { ...XlsxReply, description: 'XLSX 工作簿（附件下载）' } };
const produces = [XLSX_TYPE];

const reportsRoutes: FastifyPluginAsyncTypebox<{ db: Db }> = async (app, { db }) => {
  const onRequest = app.requireUser(EVALUATION_ROLES);

  app.get(
    '/api/exports/cases.xlsx',
    {
      schema: {
        tags,
        summary: '导出整顿案件清单（XLSX：整顿案件、问题清单两张表；筛选条件同案件列表）',
        querystring: CaseListQuery,
        produces,
        response,
      },
      onRequest,
    },
    async (request, reply) => send(reply, await reports.exportCases(db, userOf(request), request.query)),
  );

  app.get(
    '/api/exports/sessions.xlsx',
    {
      schema: {
        tags,
        summary: '导出本辖区已结束测评的结果（XLSX：测评结果、分题统计两张表；进行中的测评不导出）',
        querystring: SessionsExportQuery,
        produces,
        response,
      },
      onRequest,
    },
    async (request, reply) => send(reply, await reports.exportSessions(db, userOf(request), request.query)),
  );
};

export default reportsRoutes;
