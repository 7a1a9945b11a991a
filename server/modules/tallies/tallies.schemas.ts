import { Type, type Static } from 'typebox';

export const SessionParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2147483647 }) });

const OptionResult = Type.Object({
  id: Type.String(),
  label: Type.String(),
  count: Type.Integer(),
  percent: Type.String({ description: '百分比，一位小数（整数运算）' }),
});

const QuestionResult = Type.Object({
  id: Type.String(),
  text: Type.String(),
  type: Type.Union([Type.Literal('choice'), Type.Literal('text')]),
  options: Type.Array(OptionResult),
  answered: Type.Integer(),
});

const IdentityBreakdown = Type.Object({
  questionId: Type.Union([Type.String(), Type.Null()]),
  minGroup: Type.Integer(),
  groups: Type.Array(
    Type.Object({
      id: Type.String(),
      label: Type.String(),
      ballots: Type.Integer(),
      options: Type.Array(OptionResult),
    }),
  ),
  note: Type.Union([Type.String(), Type.Null()]),
});

export const ResultsSchema = Type.Object({
  ballots: Type.Integer(),
  questions: Type.Array(QuestionResult),
  comments: Type.Array(Type.String(), { description: '意见和建议，随机顺序' }),
  identity: IdentityBreakdown,
});

export const VerdictSchema = Type.Object({
  outcome: Type.Union([Type.Literal('pass'), Type.Literal('fail'), Type.Literal('undecidable')]),
  satisfied: Type.Integer(),
  denominator: Type.Integer(),
  needed: Type.Integer(),
  rule: Type.String(),
  checks: Type.Array(
    Type.Object({
      name: Type.Union([Type.Literal('majority'), Type.Literal('veto'), Type.Literal('rate')]),
      passed: Type.Boolean(),
      text: Type.String(),
    }),
  ),
  reason: Type.Union([Type.String(), Type.Null()]),
});

export const TallyReply = Type.Object({
  status: Type.String(),
  residentsPresent: Type.Integer(),
  issued: Type.Integer(),
  used: Type.Integer(),
  remaining: Type.Integer(),
  online: Type.Integer(),
  paper: Type.Integer(),
  results: Type.Optional(ResultsSchema),
  verdict: Type.Optional(VerdictSchema),
});

// Not pattern-checked: a malformed id gets the same 404 as an unknown one (tallies.service).
export const PublicSessionParams = Type.Object({
  publicId: Type.String({ description: '测评的公开编号（随机，20 位）' }),
});

export const ReceiptsReply = Type.Object({
  session: Type.Object({
    publicId: Type.String(),
    title: Type.String(),
    villageName: Type.String(),
    status: Type.String(),
  }),
  receipts: Type.Array(Type.String()),
});

export type TallyView = Static<typeof TallyReply>;
export type ReceiptsView = Static<typeof ReceiptsReply>;
