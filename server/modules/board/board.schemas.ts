// The HTTP contract of the campaign board (issue 9, /tmp/board-contract.md). The console imports
// these types with `import type`; the routes validate and serialize with them.
import { Type, type Static, type TSchema } from 'typebox';
import { CaseStateSchema, LightSchema } from '../cases/cases.schemas.ts';
import { KindSchema, StatusSchema } from '../sessions/sessions.schemas.ts';

const Id = Type.Integer({ minimum: 1, maximum: 2147483647 });
const Count = Type.Integer({ minimum: 0 });
const Year = Type.Integer({ minimum: 2000, maximum: 2100 });
const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

export const BoardQuery = Type.Object(
  {
    regionId: Type.Optional(Type.Integer({ minimum: 1, maximum: 2147483647, description: '默认为本人所在区域' })),
    year: Type.Optional(Type.Integer({ minimum: 2000, maximum: 2100, description: '年度（北京时间），默认今年' })),
  },
  { additionalProperties: false },
);
export const RegionQuery = Type.Object(
  { regionId: Type.Optional(Type.Integer({ minimum: 1, maximum: 2147483647, description: '默认为本人所在区域' })) },
  { additionalProperties: false },
);

const LevelSchema = Type.Union([
  Type.Literal('city'),
  Type.Literal('county'),
  Type.Literal('township'),
  Type.Literal('village'),
]);
const RegionRefSchema = Type.Object({ id: Id, name: Type.String(), level: LevelSchema });
const OutcomeSchema = Type.Union([Type.Literal('pass'), Type.Literal('fail'), Type.Literal('undecidable')]);

const VerdictSchema = Type.Object({
  outcome: OutcomeSchema,
  satisfied: Count,
  /** the least satisfied count meeting the majority and rate checks (board.rules requiredSatisfied) */
  required: Count,
  denominator: Count,
  /** the rule set in words: `rules[].id` of the reply (each distinct text is sent once) */
  ruleId: Id,
});

export const BoardSessionSchema = Type.Object({
  sessionId: Id,
  kind: KindSchema,
  status: StatusSchema,
  residentsPresent: Count,
  issued: Count,
  /** ballots cast: live turnout while open, from the result once closed */
  used: Count,
  /** null while draft or open: results of a session still running never leave the server */
  verdict: Nullable(VerdictSchema),
  closedAt: Nullable(Type.String({ format: 'date-time' })),
});

export const BoardCaseSchema = Type.Object({
  id: Id,
  state: CaseStateSchema,
  light: LightSchema,
});

/** board.rules NEXT_ACTIONS (the unit test checks they agree) */
export const NextActionSchema = Type.Union([
  Type.Literal('start'),
  Type.Literal('request_evaluation'),
  Type.Literal('create_session'),
  Type.Literal('confirm_residents'),
  Type.Literal('open'),
  Type.Literal('close'),
  Type.Literal('apply'),
  Type.Literal('return'),
  Type.Literal('receive'),
  Type.Literal('township_pass'),
  Type.Literal('county_pass'),
  Type.Literal('city_pass'),
  Type.Literal('monitor'),
  Type.Literal('lookback_pass'),
  Type.Literal('relist'),
]);

export const NextStepSchema = Type.Object({
  action: NextActionSchema,
  /** in words (not a function of the action alone: 开始测评 once slips are issued) */
  label: Type.String(),
  role: Type.Union([Type.Literal('city'), Type.Literal('county'), Type.Literal('township'), Type.Literal('village')]),
  /** the kind of session to create or act on */
  kind: Nullable(KindSchema),
  /** the session to act on (confirm_residents, open, close, and the verdict apply/return rest on) */
  sessionId: Nullable(Id),
});

export const BoardVillageSchema = Type.Object({
  villageId: Id,
  villageName: Type.String(),
  townshipId: Id,
  townshipName: Type.String(),
  /** null: 未列入 */
  case: Nullable(BoardCaseSchema),
  latest: Type.Array(BoardSessionSchema),
  nextStep: Nullable(NextStepSchema),
  /** the village's 村情档案 of the board's year (villagefiles.rules completeness); null: 未建档 */
  file: Nullable(Type.Object({ year: Year, filled: Count, required: Count, percent: Count })),
  /** the village's 堡垒指数 of the board's year (its latest scoring; the label is board.view's); null: 未评分 */
  fortress: Nullable(
    Type.Object({
      year: Year,
      grade: Type.Union([Type.Literal('strong'), Type.Literal('middle'), Type.Literal('weak')]),
      total: Count,
      maxTotal: Count,
    }),
  ),
  /** the risk level of the village's latest 负向测评 of the board's year (the label is board.view's); null: 未排查 */
  risk: Nullable(
    Type.Object({
      year: Year,
      level: Type.Union([Type.Literal('high'), Type.Literal('middle'), Type.Literal('low')]),
    }),
  ),
});

const Colors = Type.Object({ red: Count, yellow: Count, green: Count });
const Verdicts = Type.Object({ pass: Count, fail: Count, undecidable: Count, none: Count });

export const BoardReply = Type.Object({
  region: RegionRefSchema,
  breadcrumb: Type.Array(RegionRefSchema),
  children: Type.Array(RegionRefSchema),
  year: Year,
  years: Type.Array(Year),
  /** each rule set in words once (about half the reply when every verdict carried it); verdicts refer by id */
  rules: Type.Array(Type.Object({ id: Id, text: Type.String() })),
  villages: Type.Array(BoardVillageSchema),
  totals: Type.Object({
    villages: Count,
    listed: Count,
    byLight: Colors,
    /** per village: the verdict of its session closed last in the year; none without one */
    byVerdict: Verdicts,
    openSessions: Count,
  }),
});

export const TurnoutReply = Type.Object({
  sessions: Type.Array(
    Type.Object({
      sessionId: Id,
      villageId: Id,
      status: StatusSchema,
      issued: Count,
      used: Count,
      residentsPresent: Count,
    }),
  ),
});

const YearResult = Type.Object({ kind: KindSchema, outcome: OutcomeSchema, ratePermille: Nullable(Count) });

export const HistoryReply = Type.Object({
  /** oldest first */
  years: Type.Array(Year),
  villages: Type.Array(
    Type.Object({
      villageId: Id,
      villageName: Type.String(),
      townshipName: Type.String(),
      byYear: Type.Record(Type.String({ pattern: '^[0-9]{4}$' }), Nullable(YearResult)),
    }),
  ),
});

export type Board = Static<typeof BoardReply>;
export type BoardVillage = Static<typeof BoardVillageSchema>;
export type BoardSession = Static<typeof BoardSessionSchema>;
export type BoardCase = Static<typeof BoardCaseSchema>;
export type Turnout = Static<typeof TurnoutReply>;
export type History = Static<typeof HistoryReply>;
export type BoardFilters = Static<typeof BoardQuery>;
