import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Db } from '../../db/database.ts';
import { userOf } from '../../plugins/auth.ts';
import { XLSX_TYPE, XlsxReply } from '../reports/reports.schemas.ts';
import { RegisterQuery, RegisterReply, SummaryReply } from './identification.schemas.ts';
import * as register from './identification.service.ts';
import { sendWorkbook as send } from '../reports/reports.reply.ts';

const tags = ['identification'];

const identificationRoutes: FastifyPluginAsyncTypebox<{ db: Db }> = async (app, { db }) => {
  const onRequest = app.requireUser(register.REGISTER_READERS);

  app.get(
    '/api/identification',
    {
      schema: {
        tags,
        summary: '认定台账：辖区内每个村的年度堡垒指数、风险等级和类型、部门报送件数、认定阶段和结果，及排查覆盖情况',
        querystring: RegisterQuery,
        response: { 200: RegisterReply },
      },
      onRequest,
    },
    async (request) => register.getRegister(db, userOf(request), request.query),
  );

  app.get(
    '/api/identification/summary',
    {
      schema: {
        tags,
        summary: '年度认定汇总（供打印）：按等次、风险类型和等级、乡镇的统计，认定和退出的村，当年的规则',
        querystring: RegisterQuery,
        response: { 200: SummaryReply },
      },
      onRequest,
    },
    async (request) => register.getSummary(db, userOf(request), request.query),
  );

  app.get(
    '/api/identification.xlsx',
    {
      schema: {
        tags,
        summary: '导出认定台账（XLSX：各村一行、按乡镇汇总、当年的规则）',
        querystring: RegisterQuery,
        produces: [XLSX_TYPE],
        response: { 200: { ...XlsxReply, description: 'XLSX 工作簿（附件下载）' } },
      },
      onRequest,
    },
    async (request, reply) => send(reply, await register.exportRegister(db, userOf(request), request.query)),
  );
};

export default identificationRoutes;
