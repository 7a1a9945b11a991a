import { Type, type Static } from 'typebox';

const Id = Type.Integer({ minimum: 1, maximum: 2147483647 });
const Iso = Type.Unsafe<Date | string>({ type: 'string', format: 'date-time' });

export const SessionParams = Type.Object({ id: Id });
export const BatchParams = Type.Object({ id: Id, batchId: Id });

export const IssueBody = Type.Object(
  { count: Type.Integer({ minimum: 1, maximum: 5000, description: '本批发放的张数' }) },
  { additionalProperties: false },
);

export const IssueReply = Type.Object({
  batch: Type.Object({ id: Type.Integer(), count: Type.Integer(), createdAt: Iso }),
  slips: Type.Array(
    Type.Object({
      token: Type.String({ description: '只在此次回复中出现，之后无法再取得' }),
      code: Type.String({ description: '四位一组，供手工输入' }),
      url: Type.String({ description: '二维码内容：PUBLIC_URL/v#TOKEN' }),
    }),
  ),
});

export const BatchSchema = Type.Object({
  id: Type.Integer(),
  count: Type.Integer(),
  used: Type.Integer(),
  voided: Type.Boolean(),
  createdAt: Iso,
});

export const BatchesReply = Type.Object({ batches: Type.Array(BatchSchema) });
export const BatchReply = Type.Object({ batch: BatchSchema });

export type IssueView = Static<typeof IssueReply>;
export type BatchView = Static<typeof BatchSchema>;
