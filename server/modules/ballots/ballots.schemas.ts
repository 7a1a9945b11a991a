import { Type, type Static } from 'typebox';
import { CLIENT_ID_PATTERN } from './ballots.rules.ts';

// The token is deliberately NOT pattern-checked here: a malformed code must get the same 404 body
// as an unknown or voided one, so the shape check only bounds its length.
const Token = Type.String({ minLength: 1, maxLength: 100, description: '测评票上的码（16 位，可含空格或短横线）' });

const ClientId = Type.String({
  pattern: CLIENT_ID_PATTERN,
  description: '本次提交的随机编号（8–64 位字母、数字、_ -）；超时重试时使用同一编号即得到同一回执',
});

export const AnswersSchema = Type.Record(
  Type.String({ pattern: '^[A-Za-z0-9_]{1,32}$' }),
  Type.String({ maxLength: 2000 }),
  {
    additionalProperties: false,
    maxProperties: 100,
    description: '题目编号 → 选项编号（选择题）或文字（填空题）',
  },
);

export const QuestionnaireBody = Type.Object({ token: Token }, { additionalProperties: false });

export const SubmitBody = Type.Object(
  { token: Token, clientId: ClientId, answers: AnswersSchema },
  { additionalProperties: false },
);
export type SubmitInput = Static<typeof SubmitBody>;

export const PaperBody = Type.Object(
  { token: Token, answers: AnswersSchema, clientId: Type.Optional(ClientId) },
  { additionalProperties: false },
);
export type PaperInput = Static<typeof PaperBody>;

export const SessionIdParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2147483647 }) });

const OptionSchema = Type.Object({ id: Type.String(), label: Type.String() });

const QuestionSchema = Type.Object({
  id: Type.String(),
  text: Type.String(),
  type: Type.Union([Type.Literal('choice'), Type.Literal('text')]),
  required: Type.Boolean(),
  maxLength: Type.Optional(Type.Integer()),
  options: Type.Array(OptionSchema),
});

export const QuestionnaireReply = Type.Object({
  session: Type.Object({
    publicId: Type.String({ description: '测评的公开编号（随机）：结束后查验回执用' }),
    title: Type.String(),
    villageName: Type.String(),
    status: Type.String(),
  }),
  header: Type.String(),
  questions: Type.Array(QuestionSchema),
});
export type QuestionnaireView = Static<typeof QuestionnaireReply>;

export const ReceiptReply = Type.Object({
  receipt: Type.String({ description: '回执码：测评结束后可在公布的回执名单中查到，不含任何选择' }),
});
