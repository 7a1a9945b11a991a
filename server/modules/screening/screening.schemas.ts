// The HTTP contract of 年度排查 (issue 10 item 4a). The console imports these types with
// `import type`; the routes validate and serialize with them.
import { Type, type Static } from 'typebox';

const Id = Type.Integer({ minimum: 1, maximum: 2147483647 });
const Year = Type.Integer({ minimum: 2000, maximum: 2100 });
const Iso = Type.String({ format: 'date-time' });
const Count = Type.Integer({ minimum: 0 });

export const RoundQuery = Type.Object(
  { regionId: Type.Optional({ ...Id, description: '市、县或乡镇；默认为本人所在区域' }), year: Year },
  { additionalProperties: false },
);
export const OpenBody = Type.Object(
  { year: Year, regionId: Type.Optional({ ...Id, description: '县；默认为本人所在的县' }) },
  { additionalProperties: false },
);
export const IdParams = Type.Object({ id: Id }, { additionalProperties: false });

const StatusSchema = Type.Union([Type.Literal('open'), Type.Literal('concluded')]);

export const RoundSchema = Type.Object({
  id: Id,
  countyId: Id,
  countyName: Type.String(),
  year: Year,
  status: StatusSchema,
  statusLabel: Type.String(),
  openedBy: Type.String(),
  openedAt: Iso,
  concludedBy: Type.Union([Type.String(), Type.Null()]),
  concludedAt: Type.Union([Iso, Type.Null()]),
  /** the coverage frozen at conclusion (null while open) */
  frozen: Type.Union([Type.Object({ screened: Count, total: Count }), Type.Null()]),
});
export type RoundView = Static<typeof RoundSchema>;

const CoverageSchema = Type.Object({ screened: Count, total: Count, percent: Count });

export const MissingSchema = Type.Object({
  villageId: Id,
  villageName: Type.String(),
  reason: Type.Union([Type.Literal('ungraded'), Type.Literal('unscreened_weak')]),
  /** 未评定 or 弱村未排查 */
  reasonLabel: Type.String(),
});

export const TownshipCoverageSchema = Type.Object({
  townshipId: Id,
  townshipName: Type.String(),
  ...CoverageSchema.properties,
  missing: Type.Array(MissingSchema),
});
export type TownshipCoverage = Static<typeof TownshipCoverageSchema>;

export const CountyCoverageSchema = Type.Object({
  countyId: Id,
  countyName: Type.String(),
  round: Type.Union([RoundSchema, Type.Null()]),
  ...CoverageSchema.properties,
});

export const RoundReply = Type.Object({
  year: Year,
  region: Type.Object({ id: Id, name: Type.String(), level: Type.String() }),
  /** the county's round of the year (county and township views), null when not opened */
  round: Type.Union([RoundSchema, Type.Null()]),
  /** live coverage of the region's villages (the township sees only its own) */
  coverage: CoverageSchema,
  /** county and township views: per township, with the missing villages and why */
  townships: Type.Array(TownshipCoverageSchema),
  /** city view: per county, its round and coverage */
  counties: Type.Array(CountyCoverageSchema),
  mayOpen: Type.Boolean(),
  mayConclude: Type.Boolean(),
  /** why the round cannot be concluded now (应纳尽纳), if it is open */
  concludeBlocked: Type.Union([Type.String(), Type.Null()]),
});
export type RoundReply = Static<typeof RoundReply>;
