import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Db } from '../../db/database.ts';
import { AppError } from '../../errors.ts';
import { userOf } from '../../plugins/auth.ts';
import { IMPORT_BODY_LIMIT, IMPORT_CONTENT_TYPES } from '../regions/regions.schemas.ts';
import { XLSX_TYPE, XlsxReply } from '../reports/reports.schemas.ts';
import {
  CarryBody,
  CarryReply,
  ChangesReply,
  ExportQuery,
  FileListReply,
  FileParams,
  FileReply,
  ImportQuery,
  ImportReply,
  ListQuery,
  SaveBody,
} from './villagefiles.schemas.ts';
import * as files from './villagefiles.service.ts';
import { exportFiles, importFiles } from './villagefiles.transfer.ts';
import { sendWorkbook as send } from '../reports/reports.reply.ts';

const tags = ['villagefiles'];
const xlsx = { 200: { ...XlsxReply, description: 'XLSX 工作簿（附件下载）' } };

const villageFilesRoutes: FastifyPluginAsyncTypebox<{ db: Db }> = async (app, { db }) => {
  // Readers: city, county, township (their subtree) and the village secretary (their village). The
  // changing routes let the same roles through and answer 404 outside the subtree, 403 inside it to
  // anyone but the township (villagefiles.service).
  const onRequest = app.requireUser(files.READER_ROLES);

  app.get(
    '/api/village-files',
    {
      schema: {
        tags,
        summary: '村情档案列表：区域内各村本年度档案的完整度（默认本人所在区域、今年）',
        querystring: ListQuery,
        response: { 200: FileListReply },
      },
      onRequest,
    },
    async (request) => files.listFiles(db, userOf(request), request.query),
  );

  app.get(
    '/api/village-files/:villageId/:year',
    {
      schema: {
        tags,
        summary: '一个村某年度的村情档案（未建档时 file 为 null）',
        params: FileParams,
        response: { 200: FileReply },
      },
      onRequest,
    },
    async (request) => files.getFile(db, userOf(request), request.params.villageId, request.params.year),
  );

  app.put(
    '/api/village-files/:villageId/:year',
    {
      schema: {
        tags,
        summary: '保存村情档案（乡镇党委）：version 为修改所依据的版本，建档时为 null；他人已改则 409',
        params: FileParams,
        body: SaveBody,
        response: { 200: FileReply },
      },
      onRequest,
    },
    async (request) => files.saveFile(db, userOf(request), request.params.villageId, request.params.year, request.body),
  );

  app.get(
    '/api/village-files/:villageId/:year/changes',
    {
      schema: {
        tags,
        summary: '村情档案的修改记录（谁、何时、改了哪些项目），新的在前；未建档时为空',
        params: FileParams,
        response: { 200: ChangesReply },
      },
      onRequest,
    },
    async (request) => files.listChanges(db, userOf(request), request.params.villageId, request.params.year),
  );

  app.post(
    '/api/village-files/carry-forward',
    {
      schema: {
        tags,
        summary: '新年度沿用上年档案（乡镇党委，按乡镇或按村；已有本年度档案的村不动）；dryRun 只预览',
        body: CarryBody,
        response: { 200: CarryReply },
      },
      onRequest,
    },
    async (request) => files.carryForward(db, userOf(request), request.body),
  );

  app.get(
    '/api/village-files.xlsx',
    {
      schema: {
        tags,
        summary: '导出区域内各村某年度的村情档案（XLSX，可改后再导入）',
        querystring: ExportQuery,
        produces: [XLSX_TYPE],
        response: xlsx,
      },
      onRequest,
    },
    async (request, reply) => send(reply, await exportFiles(db, userOf(request), request.query)),
  );

  app.get(
    '/api/village-files/template.xlsx',
    {
      schema: {
        tags,
        summary: '村情档案导入模板（XLSX：各村一行，另附填写说明）',
        querystring: ExportQuery,
        produces: [XLSX_TYPE],
        response: xlsx,
      },
      onRequest,
    },
    async (request, reply) => send(reply, await exportFiles(db, userOf(request), request.query, { template: true })),
  );

  await app.register(importRoute, { db });
};

// The raw file as body, with the village import's parser and size limit, in this context only.
const importRoute: FastifyPluginAsyncTypebox<{ db: Db }> = async (upload, { db }) => {
  upload.addContentTypeParser(
    IMPORT_CONTENT_TYPES,
    { parseAs: 'buffer', bodyLimit: IMPORT_BODY_LIMIT },
    (_request, body, done) => done(null, body),
  );
  upload.post(
    '/api/village-files/import',
    {
      schema: {
        tags,
        summary: '从 XLSX 导入一个乡镇各村某年度的村情档案（乡镇党委）；任何一行有错则不导入；dryRun 只预览',
        querystring: ImportQuery,
        response: { 200: ImportReply },
      },
      onRequest: upload.requireUser(files.READER_ROLES),
    },
    async (request) => {
      if (request.body === undefined || request.body === null) throw new AppError('INVALID_FILE', '文件为空');
      if (!Buffer.isBuffer(request.body)) {
        throw new AppError('UNSUPPORTED_MEDIA_TYPE', '请以 .xlsx 或 application/octet-stream 类型上传文件本身');
      }
      const { filename, ...q } = request.query;
      return importFiles(db, userOf(request), q, { filename, bytes: request.body });
    },
  );
};

export default villageFilesRoutes;
