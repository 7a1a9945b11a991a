import { Type, type Static } from 'typebox';
import { DateTime } from '../auth/auth.schemas.ts';
import { GradeSummarySchema } from '../grading/grading.schemas.ts';

const Id = Type.Integer({ minimum: 1, maximum: 2147483647 });
const Year = Type.Integer({ minimum: 2000, maximum: 2100 });
const Day = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD' });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

export const StageSchema = Type.Union([
  Type.Literal('draft'),
  Type.Literal('proposed'),
  Type.Literal('determined'),
  Type.Literal('approved'),
]);
export const ActionSchema = Type.Union([
  Type.Literal('propose'),
  Type.Literal('determine'),
  Type.Literal('approve'),
  Type.Literal('return'),
]);
export const OutcomeSchema = Type.Union([Type.Literal('rectify'), Type.Literal('prevent'), Type.Literal('none')]);
export const LevelSchema = Type.Union([Type.Literal(1), Type.Literal(2), Type.Literal(3)]);
export const RiskLevelSchema = Type.Union([Type.Literal('high'), Type.Literal('middle'), Type.Literal('low')]);

export const IdParams = Type.Object({ id: Id }, { additionalProperties: false });
export const RegionYearQuery = Type.Object(
  { regionId: Type.Optional(Id), year: Year },
  { additionalProperties: false },
);
export const CreateListBody = Type.Object({ townshipId: Id, year: Year }, { additionalProperties: false });
export type CreateListInput = Static<typeof CreateListBody>;

export const ListSummarySchema = Type.Object({
  id: Id,
  stage: StageSchema,
  stageLabel: Type.String(),
  version: Type.Integer(),
  counts: Type.Object({ rectify: Type.Integer(), prevent: Type.Integer(), none: Type.Integer() }),
  updatedAt: DateTime,
});

export const ListsReply = Type.Object({
  year: Year,
  region: Type.Object({ id: Id, name: Type.String(), level: Type.String() }),
  townships: Type.Array(
    Type.Object({
      townshipId: Id,
      townshipName: Type.String(),
      /** villages with a risk screening of the year */
      screened: Type.Integer(),
      list: Nullable(ListSummarySchema),
    }),
  ),
  /** a township official may start its list of the year */
  mayCreate: Type.Boolean(),
});
export type ListsReply = Static<typeof ListsReply>;

export const ProposalSchema = Type.Object({
  screeningId: Id,
  score: Type.Integer(),
  level: RiskLevelSchema,
  levelLabel: Type.String(),
  types: Type.Array(Type.String()),
  typeLabels: Type.Array(Type.String()),
  outcome: OutcomeSchema,
  preventionLevel: Nullable(LevelSchema),
});

export const EntryViewSchema = Type.Object({
  villageId: Id,
  villageName: Type.String(),
  outcome: OutcomeSchema,
  outcomeLabel: Type.String(),
  preventionLevel: Nullable(LevelSchema),
  note: Type.String(),
  /** false: screened but not yet saved on the list (a draft shows it prefilled) */
  saved: Type.Boolean(),
  /** the latest screening of the year and what it proposes (null: no screening any more) */
  proposal: Nullable(ProposalSchema),
  /** the entry rests on an older screening than the latest */
  stale: Type.Boolean(),
  grade: Nullable(GradeSummarySchema),
  reports: Type.Integer(),
  openCaseId: Nullable(Id),
  caseId: Nullable(Id),
  preventionId: Nullable(Id),
});
export type EntryView = Static<typeof EntryViewSchema>;

export const StepViewSchema = Type.Object({
  id: Id,
  action: ActionSchema,
  actionLabel: Type.String(),
  fromStage: StageSchema,
  toStage: StageSchema,
  meeting: Nullable(Type.String()),
  meetingDate: Nullable(Type.String()),
  documentNo: Nullable(Type.String()),
  decision: Nullable(Type.String()),
  reason: Nullable(Type.String()),
  actorName: Type.String(),
  actorRole: Type.String(),
  at: DateTime,
});
export type StepView = Static<typeof StepViewSchema>;

export const ListViewSchema = Type.Object({
  id: Id,
  township: Type.Object({ id: Id, name: Type.String() }),
  county: Type.Object({ id: Id, name: Type.String() }),
  year: Year,
  stage: StageSchema,
  stageLabel: Type.String(),
  version: Type.Integer(),
  campaign: Nullable(Type.Object({ id: Id, title: Type.String() })),
  entries: Type.Array(EntryViewSchema),
  steps: Type.Array(StepViewSchema),
  actions: Type.Array(ActionSchema),
  editable: Type.Boolean(),
  /** why the next step cannot be taken yet (stale entries, open cases), shown above the buttons */
  blocked: Nullable(Type.String()),
  /** campaigns of the county or its city for the year, offered on approval */
  campaigns: Type.Array(Type.Object({ id: Id, title: Type.String(), regionName: Type.String() })),
});
export type ListView = Static<typeof ListViewSchema>;

export const PutListBody = Type.Object(
  {
    version: Type.Integer({ minimum: 1 }),
    entries: Type.Array(
      Type.Object(
        {
          villageId: Id,
          outcome: OutcomeSchema,
          preventionLevel: Nullable(LevelSchema),
          note: Type.String({ maxLength: 500 }),
        },
        { additionalProperties: false },
      ),
      { maxItems: 500 },
    ),
  },
  { additionalProperties: false },
);
export type PutListInput = Static<typeof PutListBody>;

export const StepBody = Type.Object(
  {
    action: ActionSchema,
    meetingDate: Type.Optional(Day),
    meeting: Type.Optional(Type.String({ maxLength: 16 })),
    documentNo: Type.Optional(Type.String({ maxLength: 64 })),
    decision: Type.Optional(Type.String({ maxLength: 2000 })),
    reason: Type.Optional(Type.String({ maxLength: 1000 })),
    /** approve: the campaign the cases go to, and their deadline */
    campaignId: Type.Optional(Id),
    deadline: Type.Optional(Day),
  },
  { additionalProperties: false },
);
export type StepInput = Static<typeof StepBody>;

export const ReviewViewSchema = Type.Object({
  id: Id,
  riskLevel: RiskLevelSchema,
  riskLevelLabel: Type.String(),
  fromLevel: Nullable(LevelSchema),
  toLevel: Nullable(LevelSchema),
  /** e.g. 由二级调至三级防控 (null for a case) */
  change: Nullable(Type.String()),
  note: Type.String(),
  actorName: Type.String(),
  at: DateTime,
});
export type ReviewView = Static<typeof ReviewViewSchema>;

export const PreventionViewSchema = Type.Object({
  id: Id,
  villageId: Id,
  villageName: Type.String(),
  townshipName: Type.String(),
  year: Year,
  listId: Id,
  level: LevelSchema,
  levelLabel: Type.String(),
  riskLevel: RiskLevelSchema,
  riskLevelLabel: Type.String(),
  status: Type.Union([Type.Literal('active'), Type.Literal('lifted')]),
  statusLabel: Type.String(),
  reviews: Type.Array(ReviewViewSchema),
  mayReview: Type.Boolean(),
});
export type PreventionView = Static<typeof PreventionViewSchema>;

export const PreventionsReply = Type.Object({ year: Year, records: Type.Array(PreventionViewSchema) });
export type PreventionsReply = Static<typeof PreventionsReply>;

export const PreventionReviewBody = Type.Object(
  {
    riskLevel: RiskLevelSchema,
    /** the level the county saw when it decided (the console sends it): another level now is a 409,
     * so a second tab or a double submit cannot record a 维持 the county never made */
    fromLevel: Type.Optional(LevelSchema),
    /** the new 防控措施等级; null lifts the record (only from 三级) */
    toLevel: Nullable(LevelSchema),
    note: Type.String({ minLength: 1, maxLength: 1000 }),
  },
  { additionalProperties: false },
);
export type PreventionReviewInput = Static<typeof PreventionReviewBody>;

export const CaseReviewBody = Type.Object(
  { riskLevel: RiskLevelSchema, note: Type.String({ minLength: 1, maxLength: 1000 }) },
  { additionalProperties: false },
);
export type CaseReviewInput = Static<typeof CaseReviewBody>;

const ScreeningBriefSchema = Type.Object({
  id: Id,
  year: Year,
  score: Type.Integer(),
  levelLabel: Type.String(),
  typeLabels: Type.Array(Type.String()),
  proposal: Type.String(),
  actorName: Type.String(),
  screenedAt: DateTime,
});

export const CaseIdentificationReply = Type.Object({
  /** 认定依据: null for a case listed by hand */
  basis: Nullable(
    Type.Object({
      listId: Id,
      year: Year,
      townshipName: Type.String(),
      note: Type.String(),
      grade: Nullable(GradeSummarySchema),
      screening: Nullable(
        Type.Object({
          ...ScreeningBriefSchema.properties,
          items: Type.Array(
            Type.Object({
              typeLabel: Type.String(),
              title: Type.String(),
              weight: Type.Integer(),
              evidence: Type.String(),
            }),
          ),
        }),
      ),
      reports: Type.Array(
        Type.Object({
          id: Id,
          department: Type.String(),
          category: Type.String(),
          eventDate: Type.String(),
          status: Type.String(),
        }),
      ),
      steps: Type.Array(StepViewSchema),
    }),
  ),
  reviews: Type.Array(ReviewViewSchema),
  /** the county may record the risk level now (the case exited or is under look-back) */
  mayReview: Type.Boolean(),
  /** 回头看: the village's grade and latest screening of the year after the campaign's (monitoring only) */
  lookback: Nullable(
    Type.Object({ year: Year, grade: Nullable(GradeSummarySchema), screening: Nullable(ScreeningBriefSchema) }),
  ),
});
export type CaseIdentificationReply = Static<typeof CaseIdentificationReply>;
