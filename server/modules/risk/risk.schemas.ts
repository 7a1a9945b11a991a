// The HTTP contract of the 负面清单 (issue 10 item 3). The console imports these types with
// `import type`; the routes validate and serialize with them.
import { Type, type Static } from 'typebox';
import { RequestedReportSchema } from '../deptreports/deptreports.schemas.ts';
import { GradeSummarySchema } from '../grading/grading.schemas.ts';

const Id = Type.Integer({ minimum: 1, maximum: 2147483647 });
const Year = Type.Integer({ minimum: 2000, maximum: 2100 });
const Iso = Type.String({ format: 'date-time' });

export const RiskTypeSchema = Type.Union([
  Type.Literal('party_building'),
  Type.Literal('integrity'),
  Type.Literal('governance'),
  Type.Literal('revitalization'),
]);
const LevelSchema = Type.Union([Type.Literal('high'), Type.Literal('middle'), Type.Literal('low')]);
const OutcomeSchema = Type.Union([Type.Literal('rectify'), Type.Literal('prevent'), Type.Literal('none')]);
const PreventionSchema = Type.Union([Type.Literal(1), Type.Literal(2), Type.Literal(3), Type.Null()]);

export const ListQuery = Type.Object(
  { regionId: Type.Optional({ ...Id, description: '县；默认为本人所在的县' }), year: Year },
  { additionalProperties: false },
);
export const RegionYearQuery = Type.Object(
  { regionId: Type.Optional({ ...Id, description: '默认为本人所在区域' }), year: Year },
  { additionalProperties: false },
);
export const YearQuery = Type.Object({ year: Year }, { additionalProperties: false });
export const IdParams = Type.Object({ id: Id }, { additionalProperties: false });
export const VillageParams = Type.Object({ villageId: Id }, { additionalProperties: false });

export const RiskItemSchema = Type.Object({
  id: Id,
  type: RiskTypeSchema,
  title: Type.String(),
  weight: Type.Integer(),
});

export const ListViewSchema = Type.Object({
  id: Id,
  regionId: Id,
  regionName: Type.String(),
  year: Year,
  highMin: Type.Integer(),
  middleMin: Type.Integer(),
  ruleText: Type.String(),
  items: Type.Array(RiskItemSchema),
  usedBy: Type.Integer(),
  editable: Type.Boolean(),
  updatedAt: Iso,
});
export type ListView = Static<typeof ListViewSchema>;

export const ListReply = Type.Object({
  list: Type.Union([ListViewSchema, Type.Null()]),
  previousYear: Type.Union([Year, Type.Null()]),
  mayCreate: Type.Boolean(),
});
export type ListReply = Static<typeof ListReply>;

export const CreateListBody = Type.Object(
  { regionId: Id, year: Year, from: Type.Union([Type.Literal('defaults'), Type.Literal('previous')]) },
  { additionalProperties: false },
);
export type CreateListInput = Static<typeof CreateListBody>;

export const PutListBody = Type.Object(
  {
    highMin: Type.Integer({ minimum: 1, maximum: 10000 }),
    middleMin: Type.Integer({ minimum: 1, maximum: 10000 }),
    items: Type.Array(
      Type.Object(
        {
          id: Type.Optional(Id),
          type: RiskTypeSchema,
          title: Type.String({ minLength: 1, maxLength: 100 }),
          weight: Type.Integer({ minimum: 1, maximum: 10 }),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 60 },
    ),
  },
  { additionalProperties: false },
);
export type PutListInput = Static<typeof PutListBody>;

export const ScreeningSummarySchema = Type.Object({
  id: Id,
  year: Year,
  trigger: Type.Union([Type.Literal('weak_grade'), Type.Literal('report')]),
  gradeId: Type.Union([Id, Type.Null()]),
  reportId: Type.Union([Id, Type.Null()]),
  score: Type.Integer(),
  level: LevelSchema,
  levelLabel: Type.String(),
  types: Type.Array(RiskTypeSchema),
  outcome: OutcomeSchema,
  preventionLevel: PreventionSchema,
  /** e.g. 重点防控村（二级防控） — a proposal: the three-level decision decides */
  proposalText: Type.String(),
  ruleText: Type.String(),
  actorName: Type.String(),
  screenedAt: Iso,
});
export type ScreeningSummary = Static<typeof ScreeningSummarySchema>;

export const RiskVillageRowSchema = Type.Object({
  villageId: Id,
  villageName: Type.String(),
  townshipId: Id,
  townshipName: Type.String(),
  grade: Type.Union([GradeSummarySchema, Type.Null()]),
  screening: Type.Union([ScreeningSummarySchema, Type.Null()]),
  /** department reports about the village whose screening the county requested, not yet screened for */
  requestedReports: Type.Integer({ minimum: 0 }),
});

export const RiskVillagesReply = Type.Object({
  year: Year,
  list: Type.Union([Type.Object({ id: Id, ruleText: Type.String() }), Type.Null()]),
  mayScreen: Type.Boolean(),
  /** villages graded 弱村 this year, any other village screened this year, and those with a
   * department report waiting for its requested screening */
  villages: Type.Array(RiskVillageRowSchema),
});
export type RiskVillagesReply = Static<typeof RiskVillagesReply>;

export const MarkSchema = Type.Object({ itemId: Id, present: Type.Boolean(), evidence: Type.String() });

const CurrentScreeningSchema = Type.Object({ ...ScreeningSummarySchema.properties, marks: Type.Array(MarkSchema) });

export const ScreeningViewSchema = Type.Object({
  village: Type.Object({ id: Id, name: Type.String(), townshipName: Type.String(), countyName: Type.String() }),
  year: Year,
  grade: Type.Union([GradeSummarySchema, Type.Null()]),
  list: Type.Union([ListViewSchema, Type.Null()]),
  current: Type.Union([CurrentScreeningSchema, Type.Null()]),
  history: Type.Array(ScreeningSummarySchema),
  /** reports about the village whose screening the county requested (none for the village secretary) */
  reports: Type.Array(RequestedReportSchema),
  mayScreen: Type.Boolean(),
  /** why this village cannot be screened now, if so */
  blocked: Type.Union([Type.String(), Type.Null()]),
});
export type ScreeningView = Static<typeof ScreeningViewSchema>;

export const ScreeningBody = Type.Object(
  {
    year: Year,
    /** 因部门报送排查: a report about this village whose screening the county requested */
    reportId: Type.Optional(Id),
    marks: Type.Array(
      Type.Object(
        { itemId: Id, present: Type.Boolean(), evidence: Type.String({ maxLength: 1000 }) },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 60 },
    ),
  },
  { additionalProperties: false },
);
export type ScreeningInput = Static<typeof ScreeningBody>;
