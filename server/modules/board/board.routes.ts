import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import type { Db } from '../../db/database.ts';
import type { Role } from '../../lib/access.ts';
import { userOf } from '../../plugins/auth.ts';
import { XLSX_TYPE, XlsxReply } from '../reports/reports.schemas.ts';
import { BoardQuery, BoardReply, HistoryReply, RegionQuery, TurnoutReply } from './board.schemas.ts';
import * as board from './board.service.ts';
import { sendWorkbook as send } from '../reports/reports.reply.ts';

const tags = ['board'];
/** The board is for the levels that oversee many villages. */
const BOARD_ROLES: readonly Role[] = ['township', 'county', 'city'];

/** JSON text made by the service (the typed reply knows only the documented object). */
function sendJson(reply: FastifyReply, json: string): FastifyReply {
  return reply.type('application/json; charset=utf-8').send(json);
}

const boardRoutes: FastifyPluginAsyncTypebox<{ db: Db }> = async (app, { db }) => {
  const onRequest = app.requireUser(BOARD_ROLES);

  app.get(
    '/api/board',
    {
      schema: {
        tags,
        summary: '工作台：辖区内每个村的案件、各类测评的最新一次（进行中只给参评人数）和下一步',
        querystring: BoardQuery,
        response: { 200: BoardReply },
      },
      // The reply is built field by field by the service (board.service.ts), so nothing unlisted can
      // leak, and serialized there once per change of the board: a kept board is sent as its kept
      // JSON text with the breadcrumb and live turnout spliced in (board.service getBoardJson).
      onRequest,
    },
    async (request, reply) => sendJson(reply, await board.getBoardJson(db, userOf(request), request.query)),
  );

  app.get(
    '/api/board/turnout',
    {
      schema: {
        tags,
        summary: '辖区内进行中测评的实时参评人数（供工作台每 10 秒刷新）',
        querystring: RegionQuery,
        response: { 200: TurnoutReply },
      },
      onRequest,
    },
    async (request) => board.getTurnout(db, userOf(request), request.query),
  );

  app.get(
    '/api/board/history',
    {
      schema: {
        tags,
        summary: '各村历年测评结果（每年取最近一次已结束的村级自评，没有则取其他类型）',
        querystring: RegionQuery,
        response: { 200: HistoryReply },
      },
      onRequest,
    },
    async (request) => board.getHistory(db, userOf(request), request.query),
  );

  app.get(
    '/api/board.xlsx',
    {
      schema: {
        tags,
        summary: '导出工作台（XLSX，与页面同样的行和列）',
        querystring: BoardQuery,
        produces: [XLSX_TYPE],
        response: { 200: { ...XlsxReply, description: 'XLSX 工作簿（附件下载）' } },
      },
      onRequest,
    },
    async (request, reply) => send(reply, await board.exportBoard(db, userOf(request), request.query)),
  );
};

export default boardRoutes;
