// The HTTP contract of 村情档案 (issue 10 item 1). The console imports these types with `import type`.
import { Type, type Static, type TSchema } from 'typebox';

const Id = Type.Integer({ minimum: 1, maximum: 2147483647 });
const Count = Type.Integer({ minimum: 0 });
const Year = Type.Integer({ minimum: 2000, maximum: 2100 });
const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Value = Type.Union([Type.Integer(), Type.String()]);

/** Values by field key (villagefiles.rules FIELDS); money in whole 元; a missing key is not filled. */
export const FileDataSchema = Type.Record(Type.String(), Value);

export const FileParams = Type.Object({ villageId: Id, year: Year });

export const ListQuery = Type.Object(
  {
    regionId: Type.Optional(Id),
    year: Type.Optional(Year),
  },
  { additionalProperties: false },
);

const CompletenessSchema = Type.Object({
  filled: Count,
  required: Count,
  /** floor(100 × filled ÷ required) */
  percent: Type.Integer({ minimum: 0, maximum: 100 }),
});

const AspectCompleteness = Type.Object({
  aspect: Type.String(),
  label: Type.String(),
  filled: Count,
  required: Count,
  percent: Type.Integer({ minimum: 0, maximum: 100 }),
});

const VillageRef = Type.Object({ id: Id, name: Type.String(), townshipId: Id, townshipName: Type.String() });

export const FileListReply = Type.Object({
  region: Type.Object({ id: Id, name: Type.String(), level: Type.String() }),
  year: Year,
  /** the township may change files here (the county and city read) */
  mayEdit: Type.Boolean(),
  villages: Type.Array(
    Type.Object({
      village: VillageRef,
      file: Nullable(
        Type.Object({
          version: Count,
          updatedAt: Type.String({ format: 'date-time' }),
          completeness: CompletenessSchema,
        }),
      ),
      /** last year's file exists (the new year can start from it) */
      previous: Type.Boolean(),
    }),
  ),
  totals: Type.Object({ villages: Count, withFile: Count, complete: Count }),
});

export const FileReply = Type.Object({
  village: VillageRef,
  year: Year,
  mayEdit: Type.Boolean(),
  previous: Type.Boolean(),
  file: Nullable(
    Type.Object({
      version: Count,
      data: FileDataSchema,
      updatedAt: Type.String({ format: 'date-time' }),
      updatedBy: Type.String(),
    }),
  ),
  completeness: Type.Intersect([CompletenessSchema, Type.Object({ aspects: Type.Array(AspectCompleteness) })]),
});

export const SaveBody = Type.Object(
  {
    /** every field of the file as it should be (a field left out, null or '' is not filled) */
    data: Type.Record(Type.String({ maxLength: 64 }), Type.Union([Type.Integer(), Type.String(), Type.Null()]), {
      maxProperties: 100,
    }),
    /** the version the edit was made on; null when creating the year's file */
    version: Nullable(Type.Integer({ minimum: 1 })),
  },
  { additionalProperties: false },
);

const ChangeSchema = Type.Object({
  field: Type.String(),
  label: Type.String(),
  /** as a person reads it (money in 万元); null: not filled */
  from: Nullable(Type.String()),
  to: Nullable(Type.String()),
});

export const ChangesReply = Type.Object({
  changes: Type.Array(
    Type.Object({
      action: Type.Union([
        Type.Literal('create'),
        Type.Literal('update'),
        Type.Literal('carry_forward'),
        Type.Literal('import'),
      ]),
      actionLabel: Type.String(),
      at: Type.String({ format: 'date-time' }),
      actorName: Type.String(),
      actorRole: Type.String(),
      version: Count,
      fields: Type.Array(ChangeSchema),
    }),
  ),
});

export const CarryBody = Type.Object(
  {
    /** a township (all its villages) or one village */
    regionId: Id,
    /** the new year; files are copied from year − 1 */
    year: Year,
    dryRun: Type.Optional(Type.Boolean({ default: false })),
  },
  { additionalProperties: false },
);

const VillageName = Type.Object({ villageId: Id, villageName: Type.String() });

export const CarryReply = Type.Object({
  dryRun: Type.Boolean(),
  year: Year,
  /** villages whose file is (or would be) started from last year's */
  created: Type.Array(VillageName),
  /** villages that already have this year's file: left as they are */
  existing: Type.Array(VillageName),
  /** villages without last year's file: nothing to start from */
  noPrevious: Type.Array(VillageName),
});

export const ImportQuery = Type.Object(
  {
    regionId: Type.Optional(Id),
    year: Year,
    filename: Type.String({ minLength: 1, maxLength: 255 }),
    dryRun: Type.Boolean({ default: false, description: '只检查、预览，不写入' }),
  },
  { additionalProperties: false },
);

export const ImportReply = Type.Object({
  dryRun: Type.Boolean(),
  year: Year,
  rows: Count,
  villages: Type.Array(
    Type.Object({
      row: Count,
      villageId: Id,
      villageName: Type.String(),
      action: Type.Union([Type.Literal('create'), Type.Literal('update'), Type.Literal('unchanged')]),
      /** labels of the fields that change */
      fields: Type.Array(Type.String()),
    }),
  ),
});

export const ExportQuery = Type.Object({ regionId: Type.Optional(Id), year: Year }, { additionalProperties: false });

export type FileList = Static<typeof FileListReply>;
export type FileView = Static<typeof FileReply>;
export type SaveInput = Static<typeof SaveBody>;
export type Changes = Static<typeof ChangesReply>;
export type CarryInput = Static<typeof CarryBody>;
export type CarryResult = Static<typeof CarryReply>;
export type ImportResult = Static<typeof ImportReply>;
