// The HTTP contract of the 堡垒指数 (issue 10 item 2). The console imports these types with
// `import type`; the routes validate and serialize with them.
import { Type, type Static } from 'typebox';

const Id = Type.Integer({ minimum: 1, maximum: 2147483647 });
const Year = Type.Integer({ minimum: 2000, maximum: 2100 });
const Score = Type.Integer({ minimum: 0, maximum: 10000 });
const Iso = Type.String({ format: 'date-time' });

export const SectionSchema = Type.Union([
  Type.Literal('leadership'),
  Type.Literal('members'),
  Type.Literal('mechanism'),
]);
export const GradeSchema = Type.Union([Type.Literal('strong'), Type.Literal('middle'), Type.Literal('weak')]);

export const SheetQuery = Type.Object(
  {
    regionId: Type.Optional({ ...Id, description: '县；默认为本人所在的县' }),
    year: Year,
  },
  { additionalProperties: false },
);
export const RegionYearQuery = Type.Object(
  { regionId: Type.Optional({ ...Id, description: '默认为本人所在区域' }), year: Year },
  { additionalProperties: false },
);
export const YearQuery = Type.Object({ year: Year }, { additionalProperties: false });
export const IdParams = Type.Object({ id: Id }, { additionalProperties: false });
export const VillageParams = Type.Object({ villageId: Id }, { additionalProperties: false });

export const SheetItemSchema = Type.Object({
  id: Id,
  section: SectionSchema,
  title: Type.String(),
  maxScore: Type.Integer(),
});

export const SheetViewSchema = Type.Object({
  id: Id,
  regionId: Id,
  regionName: Type.String(),
  year: Year,
  strongMin: Type.Integer(),
  middleMin: Type.Integer(),
  maxTotal: Type.Integer(),
  ruleText: Type.String(),
  items: Type.Array(SheetItemSchema),
  /** villages scored on this sheet: maxima and cut-offs are frozen once this is above 0 */
  usedBy: Type.Integer(),
  editable: Type.Boolean(),
  updatedAt: Iso,
});
export type SheetView = Static<typeof SheetViewSchema>;

export const SheetReply = Type.Object({
  sheet: Type.Union([SheetViewSchema, Type.Null()]),
  /** the newest earlier year with a sheet (a new sheet may copy it) */
  previousYear: Type.Union([Year, Type.Null()]),
  mayCreate: Type.Boolean(),
});
export type SheetReply = Static<typeof SheetReply>;

export const CreateSheetBody = Type.Object(
  {
    regionId: Id,
    year: Year,
    /** defaults: this service's editable defaults; previous: a copy of the newest earlier year's sheet */
    from: Type.Union([Type.Literal('defaults'), Type.Literal('previous')]),
  },
  { additionalProperties: false },
);
export type CreateSheetInput = Static<typeof CreateSheetBody>;

export const PutSheetBody = Type.Object(
  {
    strongMin: Type.Integer({ minimum: 1, maximum: 10000 }),
    middleMin: Type.Integer({ minimum: 1, maximum: 10000 }),
    items: Type.Array(
      Type.Object(
        {
          id: Type.Optional(Id),
          section: SectionSchema,
          title: Type.String({ minLength: 1, maxLength: 100 }),
          maxScore: Type.Integer({ minimum: 1, maximum: 100 }),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 50 },
    ),
  },
  { additionalProperties: false },
);
export type PutSheetInput = Static<typeof PutSheetBody>;

export const GradeSummarySchema = Type.Object({
  id: Id,
  year: Year,
  total: Type.Integer(),
  maxTotal: Type.Integer(),
  grade: GradeSchema,
  gradeLabel: Type.String(),
  /** the rule it was judged by, in words */
  ruleText: Type.String(),
  actorName: Type.String(),
  scoredAt: Iso,
});
export type GradeSummary = Static<typeof GradeSummarySchema>;

export const VillageGradeRowSchema = Type.Object({
  villageId: Id,
  villageName: Type.String(),
  townshipId: Id,
  townshipName: Type.String(),
  grade: Type.Union([GradeSummarySchema, Type.Null()]),
});

export const VillagesReply = Type.Object({
  year: Year,
  sheet: Type.Union([Type.Object({ id: Id, ruleText: Type.String(), maxTotal: Type.Integer() }), Type.Null()]),
  mayScore: Type.Boolean(),
  villages: Type.Array(VillageGradeRowSchema),
});
export type VillagesReply = Static<typeof VillagesReply>;

export const ItemScoreSchema = Type.Object({ itemId: Id, score: Type.Integer(), note: Type.String() });

const CurrentGradeSchema = Type.Object({ ...GradeSummarySchema.properties, items: Type.Array(ItemScoreSchema) });

export const VillageGradeViewSchema = Type.Object({
  village: Type.Object({ id: Id, name: Type.String(), townshipName: Type.String(), countyName: Type.String() }),
  year: Year,
  sheet: Type.Union([SheetViewSchema, Type.Null()]),
  current: Type.Union([CurrentGradeSchema, Type.Null()]),
  /** earlier scorings of the same year, newest first */
  history: Type.Array(GradeSummarySchema),
  mayScore: Type.Boolean(),
});
export type VillageGradeView = Static<typeof VillageGradeViewSchema>;

export const ScoringBody = Type.Object(
  {
    year: Year,
    items: Type.Array(
      Type.Object({ itemId: Id, score: Score, note: Type.String({ maxLength: 500 }) }, { additionalProperties: false }),
      { minItems: 1, maxItems: 50 },
    ),
  },
  { additionalProperties: false },
);
export type ScoringInput = Static<typeof ScoringBody>;
