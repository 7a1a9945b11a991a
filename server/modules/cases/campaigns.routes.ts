import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Db } from '../../db/database.ts';
import { userOf } from '../../plugins/auth.ts';
import * as campaigns from './campaigns.service.ts';
import { CASE_ROLES } from './cases.rules.ts';
import {
  CampaignListReply,
  CampaignViewSchema,
  CaseIdParams,
  CreateCampaignBody,
  PatchCampaignBody,
} from './cases.schemas.ts';

const tags = ['campaigns'];

const campaignsRoutes: FastifyPluginAsyncTypebox<{ db: Db }> = async (app, { db }) => {
  const onRequest = app.requireUser(CASE_ROLES);

  app.post(
    '/api/campaigns',
    {
      schema: {
        tags,
        summary: '设立年度整顿工作（县、市组织部；问卷、规则默认为模板）',
        body: CreateCampaignBody,
        response: { 201: CampaignViewSchema },
      },
      onRequest,
    },
    async (request, reply) => reply.status(201).send(await campaigns.createCampaign(db, userOf(request), request.body)),
  );

  app.get(
    '/api/campaigns',
    {
      schema: { tags, summary: '可见的整顿工作：本辖区及上级设立的（新的在前）', response: { 200: CampaignListReply } },
      onRequest,
    },
    async (request) => ({ campaigns: await campaigns.listCampaigns(db, userOf(request)) }),
  );

  app.get(
    '/api/campaigns/:id',
    { schema: { tags, summary: '整顿工作', params: CaseIdParams, response: { 200: CampaignViewSchema } }, onRequest },
    async (request) => campaigns.getCampaign(db, userOf(request), request.params.id),
  );

  app.patch(
    '/api/campaigns/:id',
    {
      schema: {
        tags,
        summary: '修改整顿工作（只影响此后新建的测评）',
        params: CaseIdParams,
        body: PatchCampaignBody,
        response: { 200: CampaignViewSchema },
      },
      onRequest,
    },
    async (request) => campaigns.updateCampaign(db, userOf(request), request.params.id, request.body),
  );
};

export default campaignsRoutes;
