import { Type, type Static } from 'typebox';
import { QUESTIONNAIRE_LIMITS } from './questionnaire.rules.ts';

const Id = Type.Integer({ minimum: 1, maximum: 2147483647 });
const Iso = Type.String({ format: 'date-time' });
const NullableIso = Type.Union([Iso, Type.Null()]);

export const KindSchema = Type.Union([
  Type.Literal('self_evaluation'),
  Type.Literal('township_check'),
  Type.Literal('county_callback'),
  Type.Literal('look_back'),
]);

export const StatusSchema = Type.Union([
  Type.Literal('draft'),
  Type.Literal('open'),
  Type.Literal('closed'),
  Type.Literal('certified'),
  Type.Literal('void'),
]);

const OptionSchema = Type.Object(
  { id: Type.String({ maxLength: 32 }), label: Type.String({ maxLength: 64 }) },
  { additionalProperties: false },
);

const QuestionSchema = Type.Object(
  {
    id: Type.String({ maxLength: 32 }),
    text: Type.String({ maxLength: QUESTIONNAIRE_LIMITS.textLength }),
    type: Type.Union([Type.Literal('choice'), Type.Literal('text')]),
    options: Type.Array(OptionSchema, { maxItems: QUESTIONNAIRE_LIMITS.options }),
    required: Type.Boolean(),
    maxLength: Type.Optional(Type.Integer({ minimum: 1, maximum: QUESTIONNAIRE_LIMITS.textLength })),
  },
  { additionalProperties: false },
);

export const QuestionnaireSchema = Type.Object(
  {
    header: Type.String({ maxLength: QUESTIONNAIRE_LIMITS.headerLength }),
    questions: Type.Array(QuestionSchema, { minItems: 1, maxItems: QUESTIONNAIRE_LIMITS.questions }),
  },
  { additionalProperties: false },
);

export const RuleSetSchema = Type.Object(
  {
    gateQuestionId: Type.String({ maxLength: 32 }),
    satisfiedOptionIds: Type.Array(Type.String({ maxLength: 32 }), { minItems: 1, maxItems: 10 }),
    dissatisfiedOptionId: Type.String({ maxLength: 32 }),
    denominator: Type.Union([Type.Literal('residents_present'), Type.Literal('valid_ballots')]),
    majority: Type.Union([Type.Literal('strict'), Type.Literal('inclusive')]),
    veto: Type.Boolean(),
    // One schema with a type list, not a union: with coerceTypes a union's null branch would
    // quietly turn 0 into null.
    minRatePercent: Type.Unsafe<number | null>({ type: ['integer', 'null'], minimum: 1, maximum: 100 }),
  },
  { additionalProperties: false },
);

const Title = Type.String({ minLength: 1, maxLength: 100 });
const Residents = Type.Integer({ minimum: 0, maximum: 100000, description: '在村人数' });
const Name = Type.String({ minLength: 1, maxLength: 32 });

export const CertificationSchema = Type.Object({
  host: Type.String(),
  scrutineers: Type.Array(Type.String()),
  counters: Type.Array(Type.String()),
});

/** What a session's page and a row of the list both say of it. */
const SessionHead = {
  id: Type.Integer(),
  /** random (100 bits): the id in every public URL, e.g. the receipt check PUBLIC_URL/v#r:PUBLIC_ID */
  publicId: Type.String(),
  villageId: Type.Integer(),
  villageName: Type.String(),
  townshipName: Type.String(),
  title: Type.String(),
  kind: KindSchema,
  status: StatusSchema,
  residentsPresent: Type.Integer(),
  residentsConfirmed: Type.Boolean(),
};

export const SessionViewSchema = Type.Object({
  ...SessionHead,
  residentsConfirmedBy: Type.Union([Type.String(), Type.Null()]),
  residentsConfirmedAt: NullableIso,
  issued: Type.Integer(),
  questionnaire: QuestionnaireSchema,
  rules: RuleSetSchema,
  ruleText: Type.String(),
  voidReason: Type.Union([Type.String(), Type.Null()]),
  openedAt: NullableIso,
  closedAt: NullableIso,
  certifiedAt: NullableIso,
  certification: Type.Union([CertificationSchema, Type.Null()]),
  /** SHA-256 (hex) of the canonical JSON of the result written at close: printed on the result sheet */
  resultHash: Type.Union([Type.String(), Type.Null()]),
  /** the rectification case the session belongs to (created through POST /api/cases/:id/sessions) */
  caseId: Type.Union([Type.Integer(), Type.Null()]),
  /** the close's entry in the audit chain: `npm run verify -- --head id:hash` checks it is still there */
  closeAudit: Type.Union([Type.Object({ id: Type.Integer(), hash: Type.String() }), Type.Null()]),
  /** when the server opens / closes it by itself (PATCH /api/sessions/:id/schedule); null: not scheduled */
  scheduledOpenAt: NullableIso,
  scheduledCloseAt: NullableIso,
  createdAt: Iso,
});
export type SessionView = Static<typeof SessionViewSchema>;

export const IdParams = Type.Object({ id: Id });

export const CreateSessionBody = Type.Object(
  {
    villageId: Id,
    /** blank or omitted: the village and the kind, e.g. 东山村 2026年度村级自评 */
    title: Type.Optional(Type.String({ maxLength: 100 })),
    residentsPresent: Residents,
    kind: Type.Optional(KindSchema),
    /** required (true) when the village has no case the session could serve (see session-context) */
    acknowledgeNoCase: Type.Optional(Type.Boolean({ description: '我知道此测评不计入任何整顿案件的验收' })),
    questionnaire: Type.Optional(QuestionnaireSchema),
    rules: Type.Optional(RuleSetSchema),
  },
  { additionalProperties: false },
);
export type CreateSessionInput = Static<typeof CreateSessionBody>;

export const VillageParams = Type.Object({ id: Id });
export const SessionContextQuery = Type.Object({ kind: Type.Optional(KindSchema) }, { additionalProperties: false });

/** What creating a session of this kind for the village would do, told before it is created. */
export const SessionContextReply = Type.Object({
  case: Type.Union([Type.Object({ id: Type.Integer(), state: Type.String(), stateLabel: Type.String() }), Type.Null()]),
  serves: Type.Boolean(),
  allowed: Type.Boolean(),
  needsAcknowledgement: Type.Boolean(),
  message: Type.String(),
  /** what the session will start from: its case's campaign's questionnaire and rules, or the default */
  template: Type.Object({
    campaign: Type.Union([Type.Object({ id: Type.Integer(), title: Type.String() }), Type.Null()]),
    questionnaire: QuestionnaireSchema,
    rules: RuleSetSchema,
  }),
});

export const PatchSessionBody = Type.Object(
  {
    title: Type.Optional(Title),
    residentsPresent: Type.Optional(Residents),
    questionnaire: Type.Optional(QuestionnaireSchema),
    rules: Type.Optional(RuleSetSchema),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type PatchSessionInput = Static<typeof PatchSessionBody>;

/** Opaque: where the previous page ended (sessions.rules encodeCursor). */
const Cursor = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' });

export const ListQuery = Type.Object(
  {
    villageId: Type.Optional(Id),
    status: Type.Optional(StatusSchema),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50, description: '每页场次数' })),
    cursor: Type.Optional(Cursor),
  },
  { additionalProperties: false },
);
export type ListQueryInput = Static<typeof ListQuery>;

/** A row of the list: what the console's list shows, never the questionnaire or the rules. */
export const SessionListItemSchema = Type.Object({
  ...SessionHead,
  issued: Type.Integer(),
  /** slips used so far (online and paper): the live turnout */
  used: Type.Integer(),
  caseId: Type.Union([Type.Integer(), Type.Null()]),
  openedAt: NullableIso,
  closedAt: NullableIso,
  createdAt: Iso,
});
export type SessionListItem = Static<typeof SessionListItemSchema>;

export const ConfirmBody = Type.Object(
  { residentsPresent: Type.Integer({ minimum: 0, maximum: 100000, description: '核对后再次输入的在村人数' }) },
  { additionalProperties: false },
);

export const CertifyBody = Type.Object(
  {
    host: Name,
    scrutineers: Type.Array(Name, { minItems: 1, maxItems: 10 }),
    counters: Type.Array(Name, { minItems: 1, maxItems: 10 }),
  },
  { additionalProperties: false },
);
export type CertifyInput = Static<typeof CertifyBody>;

export const VoidBody = Type.Object(
  { reason: Type.String({ minLength: 1, maxLength: 500 }) },
  { additionalProperties: false },
);

export const SessionListReply = Type.Object({
  sessions: Type.Array(SessionListItemSchema),
  /** pass as `cursor` for the next page; null on the last page */
  nextCursor: Type.Union([Cursor, Type.Null()]),
  /** every session matching the filters (all pages) */
  total: Type.Integer(),
});
export type SessionListPage = Static<typeof SessionListReply>;

export const EventSchema = Type.Object({
  at: Iso,
  action: Type.String(),
  officialName: Type.Union([Type.String(), Type.Null()]),
  detail: Type.Record(Type.String(), Type.Unknown()),
});
export const EventsReply = Type.Object({ events: Type.Array(EventSchema) });
