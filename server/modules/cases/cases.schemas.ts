// The HTTP contract of campaigns and rectification cases (issue 4). The console imports these
// types with `import type`; the routes validate and serialize with them.
import { Type, type Static } from 'typebox';
import { GradeSummarySchema } from '../grading/grading.schemas.ts';
import { KindSchema, QuestionnaireSchema, RuleSetSchema, StatusSchema } from '../sessions/sessions.schemas.ts';

const Id = Type.Integer({ minimum: 1, maximum: 2147483647 });
const Iso = Type.String({ format: 'date-time' });
/** A calendar date, YYYY-MM-DD (deadlines are days, not instants). */
const DateOnly = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: '日期 YYYY-MM-DD' });
const NullableString = Type.Union([Type.String(), Type.Null()]);

export const CaseStateSchema = Type.Union([
  Type.Literal('listed'),
  Type.Literal('rectifying'),
  Type.Literal('village_evaluation'),
  Type.Literal('applied'),
  Type.Literal('township_check'),
  Type.Literal('county_acceptance'),
  Type.Literal('city_review'),
  Type.Literal('exited'),
  Type.Literal('monitoring'),
]);

export const CaseActionSchema = Type.Union([
  Type.Literal('start'),
  Type.Literal('request_evaluation'),
  Type.Literal('apply'),
  Type.Literal('receive'),
  Type.Literal('township_pass'),
  Type.Literal('county_pass'),
  Type.Literal('city_pass'),
  Type.Literal('return'),
  Type.Literal('monitor'),
  Type.Literal('lookback_pass'),
  Type.Literal('relist'),
]);

export const FortressGradeSchema = Type.Union([Type.Literal('strong'), Type.Literal('middle'), Type.Literal('weak')]);
const NullableGrade = Type.Union([FortressGradeSchema, Type.Null()]);

export const LightSchema = Type.Object({
  color: Type.Union([Type.Literal('red'), Type.Literal('yellow'), Type.Literal('green')]),
  reason: Type.String(),
});

const CaseType = Type.String({ minLength: 1, maxLength: 32 });
const CaseTypes = Type.Array(CaseType, { minItems: 1, maxItems: 20 });
const PersonOrUnit = Type.String({ maxLength: 64 });

export const ResponsibleSchema = Type.Object(
  {
    countyLeader: PersonOrUnit, // 县级领导联村
    townshipLeader: PersonOrUnit, // 乡镇领导包村
    firstSecretary: PersonOrUnit, // 第一书记驻村
    pairedUnit: PersonOrUnit, // 结对帮扶单位
  },
  { additionalProperties: false },
);

// ---------- campaigns ----------

export const CampaignViewSchema = Type.Object({
  id: Type.Integer(),
  regionId: Type.Integer(),
  regionName: Type.String(),
  regionLevel: Type.Union([Type.Literal('city'), Type.Literal('county')]),
  year: Type.Integer(),
  title: Type.String(),
  caseTypes: Type.Array(Type.String()),
  requireFortressGrade: Type.Boolean(),
  questionnaire: QuestionnaireSchema,
  rules: RuleSetSchema,
  ruleText: Type.String(),
  caseCount: Type.Integer(),
  /** may the caller edit it (owner level, in scope) */
  editable: Type.Boolean(),
  createdAt: Iso,
});
export type CampaignView = Static<typeof CampaignViewSchema>;

export const CreateCampaignBody = Type.Object(
  {
    regionId: Id,
    year: Type.Integer({ minimum: 2000, maximum: 2100 }),
    title: Type.String({ minLength: 1, maxLength: 100 }),
    caseTypes: Type.Optional(CaseTypes),
    requireFortressGrade: Type.Optional(Type.Boolean()),
    questionnaire: Type.Optional(QuestionnaireSchema),
    rules: Type.Optional(RuleSetSchema),
  },
  { additionalProperties: false },
);
export type CreateCampaignInput = Static<typeof CreateCampaignBody>;

export const PatchCampaignBody = Type.Object(
  {
    title: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    caseTypes: Type.Optional(CaseTypes),
    requireFortressGrade: Type.Optional(Type.Boolean()),
    questionnaire: Type.Optional(QuestionnaireSchema),
    rules: Type.Optional(RuleSetSchema),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type PatchCampaignInput = Static<typeof PatchCampaignBody>;

export const CampaignListReply = Type.Object({ campaigns: Type.Array(CampaignViewSchema) });

// ---------- cases ----------

export const ProblemSchema = Type.Object({
  id: Type.Integer(),
  description: Type.String(),
  owner: Type.String(),
  deadline: DateOnly,
  status: Type.Union([Type.Literal('open'), Type.Literal('done')]),
  doneAt: Type.Union([Iso, Type.Null()]),
});
export type Problem = Static<typeof ProblemSchema>;

export const NewProblemBody = Type.Object(
  {
    description: Type.String({ minLength: 1, maxLength: 500 }),
    owner: Type.String({ minLength: 1, maxLength: 64 }),
    deadline: DateOnly,
  },
  { additionalProperties: false },
);
export type NewProblemInput = Static<typeof NewProblemBody>;

export const PatchProblemBody = Type.Object(
  {
    description: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
    owner: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    deadline: Type.Optional(DateOnly),
    status: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('done')])),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type PatchProblemInput = Static<typeof PatchProblemBody>;

export const TransitionSchema = Type.Object({
  id: Type.Integer(),
  action: CaseActionSchema,
  actionLabel: Type.String(),
  fromState: CaseStateSchema,
  toState: CaseStateSchema,
  at: Iso,
  actorName: Type.String(),
  actorRole: Type.String(),
  reason: NullableString,
  /** the new deadline set by a return to rectifying */
  deadline: Type.Union([DateOnly, Type.Null()]),
  /** the evaluation session the step rests on */
  sessionId: Type.Union([Type.Integer(), Type.Null()]),
  evidence: NullableString,
  fortressGrade: NullableGrade,
  /** relist: the new case */
  newCaseId: Type.Union([Type.Integer(), Type.Null()]),
});
export type Transition = Static<typeof TransitionSchema>;

export const CaseSessionSchema = Type.Object({
  id: Type.Integer(),
  kind: KindSchema,
  title: Type.String(),
  status: StatusSchema,
  residentsPresent: Type.Integer(),
  closedAt: Type.Union([Iso, Type.Null()]),
  verdict: Type.Union([
    Type.Object({
      outcome: Type.Union([Type.Literal('pass'), Type.Literal('fail'), Type.Literal('undecidable')]),
      satisfied: Type.Integer(),
      denominator: Type.Integer(),
      needed: Type.Integer(),
      rule: Type.String(),
      ballots: Type.Integer(),
    }),
    Type.Null(),
  ]),
});
export type CaseSession = Static<typeof CaseSessionSchema>;

/** What the caller's role could do from the case's state; `blocked` says why not yet (a gate). */
export const AvailableActionSchema = Type.Object({
  action: CaseActionSchema,
  label: Type.String(),
  blocked: NullableString,
  /** the body fields this action needs: reason, deadline */
  needs: Type.Array(Type.String()),
});

export const CaseSummarySchema = Type.Object({
  id: Type.Integer(),
  campaignId: Type.Integer(),
  campaignTitle: Type.String(),
  campaignYear: Type.Integer(),
  villageId: Type.Integer(),
  villageName: Type.String(),
  townshipId: Type.Integer(),
  townshipName: Type.String(),
  types: Type.Array(Type.String()),
  state: CaseStateSchema,
  stateLabel: Type.String(),
  deadline: DateOnly,
  fortressGrade: NullableGrade,
  light: LightSchema,
  openProblems: Type.Integer(),
  problemCount: Type.Integer(),
  previousCaseId: Type.Union([Type.Integer(), Type.Null()]),
  relistedAsCaseId: Type.Union([Type.Integer(), Type.Null()]),
  updatedAt: Iso,
});
export type CaseSummary = Static<typeof CaseSummarySchema>;

export const CaseViewSchema = Type.Object({
  ...CaseSummarySchema.properties,
  countyName: Type.String(),
  plan: Type.String(),
  responsible: ResponsibleSchema,
  requireFortressGrade: Type.Boolean(),
  /** the village's current 堡垒指数 as the exit gate reads it (fortressGrade: the grade recorded at county acceptance) */
  fortress: Type.Union([GradeSummarySchema, Type.Null()]),
  problems: Type.Array(ProblemSchema),
  transitions: Type.Array(TransitionSchema),
  sessions: Type.Array(CaseSessionSchema),
  /** every case of this village, across campaigns and years, oldest first (this one included) */
  history: Type.Array(
    Type.Object({
      id: Type.Integer(),
      campaignYear: Type.Integer(),
      campaignTitle: Type.String(),
      state: CaseStateSchema,
      stateLabel: Type.String(),
      createdAt: Iso,
    }),
  ),
  actions: Type.Array(AvailableActionSchema),
  /** may the caller edit fields (plan, types, …) and problems */
  editable: Type.Object({
    types: Type.Boolean(),
    deadline: Type.Boolean(),
    plan: Type.Boolean(),
    responsible: Type.Boolean(),
    problems: Type.Boolean(),
  }),
  createdAt: Iso,
});
export type CaseView = Static<typeof CaseViewSchema>;

export const CreateCaseBody = Type.Object(
  {
    campaignId: Id,
    villageId: Id,
    types: CaseTypes,
    deadline: DateOnly,
    plan: Type.Optional(Type.String({ maxLength: 5000 })),
    responsible: Type.Optional(ResponsibleSchema),
    problems: Type.Optional(Type.Array(NewProblemBody, { maxItems: 50 })),
  },
  { additionalProperties: false },
);
export type CreateCaseInput = Static<typeof CreateCaseBody>;

export const PatchCaseBody = Type.Object(
  {
    types: Type.Optional(CaseTypes),
    deadline: Type.Optional(DateOnly),
    plan: Type.Optional(Type.String({ maxLength: 5000 })),
    responsible: Type.Optional(ResponsibleSchema),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type PatchCaseInput = Static<typeof PatchCaseBody>;

export const TransitionBody = Type.Object(
  {
    action: CaseActionSchema,
    reason: Type.Optional(Type.String({ minLength: 1, maxLength: 1000 })),
    deadline: Type.Optional(DateOnly),
    evidence: Type.Optional(Type.String({ maxLength: 2000 })),
    sessionId: Type.Optional(Id),
    /** relist: the campaign of the new case (default: the newest campaign covering the village) */
    campaignId: Type.Optional(Id),
  },
  { additionalProperties: false },
);
export type TransitionInput = Static<typeof TransitionBody>;

export const CaseSessionBody = Type.Object(
  {
    kind: KindSchema,
    /** blank or omitted: the village and the kind, e.g. 东山村 2026年度村级自评 */
    title: Type.Optional(Type.String({ maxLength: 100 })),
    residentsPresent: Type.Integer({ minimum: 0, maximum: 100000 }),
  },
  { additionalProperties: false },
);
export type CaseSessionInput = Static<typeof CaseSessionBody>;

export const CaseListQuery = Type.Object(
  {
    campaignId: Type.Optional(Id),
    year: Type.Optional(Type.Integer({ minimum: 2000, maximum: 2100 })),
    townshipId: Type.Optional(Id),
    type: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
    state: Type.Optional(CaseStateSchema),
    light: Type.Optional(Type.Union([Type.Literal('red'), Type.Literal('yellow'), Type.Literal('green')])),
    villageId: Type.Optional(Id),
  },
  { additionalProperties: false },
);
export type CaseListFilters = Static<typeof CaseListQuery>;

export const CaseListReply = Type.Object({ cases: Type.Array(CaseSummarySchema) });
export const CaseIdParams = Type.Object({ id: Id });
export const ProblemParams = Type.Object({ id: Id, problemId: Id });
