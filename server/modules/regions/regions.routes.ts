import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Db } from '../../db/database.ts';

// Routes of the regions module: the tree with counts and the village import (to be filled in).
const regionsRoutes: FastifyPluginAsyncTypebox<{ db: Db }> = async () => {};

export default regionsRoutes;
