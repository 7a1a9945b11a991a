// The HTTP contract of the 认定台账 (issue 10 item 7). The console imports these types with
// `import type`; the routes validate and serialize with them. The fields of the contract
// (coverage; villageId, fortress, risk, reports, decision) come first; the names, the screening
// state and the case link are there so the page needs no other call.
import { Type, type Static, type TSchema } from 'typebox';

const Id = Type.Integer({ minimum: 1, maximum: 2147483647 });
const Year = Type.Integer({ minimum: 2000, maximum: 2100 });
const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

const GradeSchema = Type.Union([Type.Literal('strong'), Type.Literal('middle'), Type.Literal('weak')]);
const LevelSchema = Type.Union([Type.Literal('high'), Type.Literal('middle'), Type.Literal('low')]);
const OutcomeSchema = Type.Union([Type.Literal('rectify'), Type.Literal('prevent'), Type.Literal('none')]);
const StageSchema = Type.Union([Type.Literal('proposed'), Type.Literal('determined'), Type.Literal('approved')]);
const RiskTypeSchema = Type.Union([
  Type.Literal('party_building'),
  Type.Literal('integrity'),
  Type.Literal('governance'),
  Type.Literal('revitalization'),
]);
const Coverage = Type.Object({ screened: Type.Integer(), total: Type.Integer() });

export const RegisterQuery = Type.Object(
  {
    regionId: Type.Optional({ ...Id, description: '乡镇、县或市；默认为本人所在区域' }),
    year: Year,
  },
  { additionalProperties: false },
);
export type RegisterQuery = Static<typeof RegisterQuery>;

export const RegisterVillageSchema = Type.Object({
  villageId: Id,
  fortress: Nullable(Type.Object({ score: Type.Integer(), grade: GradeSchema })),
  risk: Nullable(Type.Object({ types: Type.Array(RiskTypeSchema), level: LevelSchema })),
  /** department reports about the village with an event date in the year */
  reports: Type.Integer(),
  /** null while the township's list is a draft (or the village is on no list) */
  decision: Nullable(Type.Object({ stage: StageSchema, outcome: OutcomeSchema })),
  villageName: Type.String(),
  townshipId: Id,
  townshipName: Type.String(),
  /** screeningState of the screening rules: screened, 未评定, 弱村未排查 */
  state: Type.Union([Type.Literal('screened'), Type.Literal('ungraded'), Type.Literal('unscreened_weak')]),
  /** 防控措施等级 named on the list (重点防控村 only) */
  preventionLevel: Nullable(Type.Union([Type.Literal(1), Type.Literal(2), Type.Literal(3)])),
  /** the case made on approval (软弱涣散村) */
  caseId: Nullable(Id),
  /** the township's list the decision is on (its page under 三级认定) */
  listId: Nullable(Id),
});
export type RegisterVillage = Static<typeof RegisterVillageSchema>;

const RegionRef = Type.Object({
  id: Id,
  name: Type.String(),
  level: Type.Union([Type.Literal('city'), Type.Literal('county'), Type.Literal('township')]),
});

export const RegisterReply = Type.Object({
  coverage: Coverage,
  villages: Type.Array(RegisterVillageSchema),
  region: RegionRef,
  year: Year,
  townships: Type.Array(Type.Object({ id: Id, name: Type.String(), screened: Type.Integer(), total: Type.Integer() })),
});
export type RegisterReply = Static<typeof RegisterReply>;

const CountsSchema = Type.Object({
  villages: Type.Integer(),
  grade: Type.Object({ strong: Type.Integer(), middle: Type.Integer(), weak: Type.Integer(), none: Type.Integer() }),
  level: Type.Object({ high: Type.Integer(), middle: Type.Integer(), low: Type.Integer(), none: Type.Integer() }),
  type: Type.Object({
    party_building: Type.Integer(),
    integrity: Type.Integer(),
    governance: Type.Integer(),
    revitalization: Type.Integer(),
  }),
  outcome: Type.Object({
    rectify: Type.Integer(),
    prevent: Type.Integer(),
    none: Type.Integer(),
    undecided: Type.Integer(),
  }),
  approved: Type.Object({ rectify: Type.Integer(), prevent: Type.Integer(), none: Type.Integer() }),
  reports: Type.Integer(),
});

const Named = Type.Object({
  villageId: Id,
  villageName: Type.String(),
  townshipName: Type.String(),
  stage: StageSchema,
  level: Nullable(LevelSchema),
  types: Type.Array(RiskTypeSchema),
  preventionLevel: Nullable(Type.Integer()),
  caseId: Nullable(Id),
});

export const SummaryReply = Type.Object({
  region: RegionRef,
  year: Year,
  coverage: Coverage,
  total: CountsSchema,
  townships: Type.Array(Type.Object({ townshipId: Id, name: Type.String(), ...CountsSchema.properties })),
  /** 软弱涣散村 and 重点防控村 named past the draft (approved ones are the county committee's list) */
  rectify: Type.Array(Named),
  prevent: Type.Array(Named),
  exited: Type.Array(
    Type.Object({
      caseId: Id,
      villageId: Id,
      villageName: Type.String(),
      townshipName: Type.String(),
      campaignYear: Year,
      exitedOn: Type.String(),
      riskLevel: Nullable(LevelSchema),
    }),
  ),
  /** each county's rules of the year in words (null where the county has not made its sheet or list) */
  rules: Type.Array(
    Type.Object({
      countyId: Id,
      countyName: Type.String(),
      grading: Nullable(Type.String()),
      risk: Nullable(Type.String()),
    }),
  ),
});
export type SummaryReply = Static<typeof SummaryReply>;
