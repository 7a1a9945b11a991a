import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Db } from '../../db/database.ts';
import { AppError } from '../../errors.ts';
import { userOf } from '../../plugins/auth.ts';
import { importVillages } from './import.service.ts';
import {
  ChildrenReply,
  IdParams,
  IMPORT_BODY_LIMIT,
  IMPORT_CONTENT_TYPES,
  ImportQuery,
  ImportReply,
  RegionsReply,
} from './regions.schemas.ts';
import * as regions from './regions.service.ts';

const tags = ['regions'];

const regionsRoutes: FastifyPluginAsyncTypebox<{ db: Db }> = async (app, { db }) => {
  app.get(
    '/api/regions',
    {
      schema: { tags, summary: '本人所在区域（含统计）及其上级', response: { 200: RegionsReply } },
      onRequest: app.requireUser(),
    },
    async (request) => regions.getOwnTree(db, userOf(request)),
  );

  app.get(
    '/api/regions/:id/children',
    {
      schema: { tags, summary: '下级区域（含统计）', params: IdParams, response: { 200: ChildrenReply } },
      onRequest: app.requireUser(),
    },
    async (request) => regions.getChildren(db, userOf(request), request.params.id),
  );

  // The import takes the raw file as its body. The parser, and its 10 MiB limit, exist only in
  // this encapsulated context: every other route keeps the app's small JSON limit.
  await app.register(importRoute, { db });
};

const importRoute: FastifyPluginAsyncTypebox<{ db: Db }> = async (upload, { db }) => {
  upload.addContentTypeParser(
    IMPORT_CONTENT_TYPES,
    { parseAs: 'buffer', bodyLimit: IMPORT_BODY_LIMIT },
    (_request, body, done) => done(null, body),
  );
  upload.post(
    '/api/regions/import',
    {
      schema: {
        tags,
        summary: '从 CSV / XLSX 导入村（列：县、乡镇、村，可选 统计代码）；有任何错误则不导入',
        querystring: ImportQuery,
        response: { 200: ImportReply },
      },
      onRequest: upload.requireUser(['admin', 'city', 'county']),
    },
    async (request) => {
      if (request.body === undefined || request.body === null) throw new AppError('INVALID_FILE', '文件为空');
      if (!Buffer.isBuffer(request.body)) {
        throw new AppError(
          'UNSUPPORTED_MEDIA_TYPE',
          '请以 text/csv、.xlsx 或 application/octet-stream 类型上传文件本身',
        );
      }
      const file = { filename: request.query.filename, bytes: request.body };
      return importVillages(db, userOf(request), file, { dryRun: request.query.dryRun });
    },
  );
};

export default regionsRoutes;
