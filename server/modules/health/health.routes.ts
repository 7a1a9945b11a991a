import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { sql } from 'kysely';
import { Type } from 'typebox';
import type { Db } from '../../db/database.ts';
import { databaseUnavailable } from '../../errors.ts';

const healthRoutes: FastifyPluginAsyncTypebox<{ db: Db }> = async (app, { db }) => {
  app.get(
    '/api/health',
    {
      schema: {
        tags: ['health'],
        summary: '健康检查：数据库可用时返回 ok',
        response: { 200: Type.Object({ status: Type.Literal('ok') }) },
      },
    },
    async () => {
      try {
        await sql`select 1`.execute(db);
      } catch {
        throw databaseUnavailable();
      }
      return { status: 'ok' as const };
    },
  );
};

export default healthRoutes;
