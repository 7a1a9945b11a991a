import { Type, type Static } from 'typebox';
import { KindSchema } from '../sessions/sessions.schemas.ts';
import { MAX_BATCH } from './schedule.rules.ts';

const Id = Type.Integer({ minimum: 1, maximum: 2147483647 });
const Iso = Type.String({ format: 'date-time' });
const NullableIso = Type.Union([Iso, Type.Null()]);

export const BatchBody = Type.Object(
  {
    kind: KindSchema,
    villages: Type.Array(
      Type.Object(
        {
          villageId: Id,
          residentsPresent: Type.Integer({ minimum: 0, maximum: 100000, description: '在村人数' }),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: MAX_BATCH },
    ),
    /** put after each village's name; blank or omitted: the default title (village, year and kind) */
    title: Type.Optional(Type.String({ maxLength: 80 })),
    /** when the server opens / closes every session of the batch by itself; omitted: by hand */
    openAt: Type.Optional(NullableIso),
    closeAt: Type.Optional(NullableIso),
    /** the creator knows that the sessions of villages without a case count for no case */
    acknowledgeNoCase: Type.Optional(Type.Boolean({ description: '我知道此测评不计入任何整顿案件的验收' })),
  },
  { additionalProperties: false },
);
export type BatchInput = Static<typeof BatchBody>;

export const PreviewRowSchema = Type.Object({
  villageId: Type.Integer(),
  villageName: Type.String(),
  townshipName: Type.Union([Type.String(), Type.Null()]),
  residentsPresent: Type.Integer(),
  /** the title the session will get (null: the default, chosen at creation) */
  title: Type.Union([Type.String(), Type.Null()]),
  case: Type.Union([Type.Object({ id: Type.Integer(), stateLabel: Type.String() }), Type.Null()]),
  /** the session will belong to the village's case and count for it */
  serves: Type.Boolean(),
  /** what creation will do for this village, in words */
  message: Type.String(),
  /** why this row cannot be created (the whole batch is refused while any row has one) */
  problem: Type.Union([Type.String(), Type.Null()]),
});

export const PreviewReply = Type.Object({
  rows: Type.Array(PreviewRowSchema),
  /** what is wrong with the times, or null */
  windowProblem: Type.Union([Type.String(), Type.Null()]),
  /** villages whose session would serve no case (creation needs acknowledgeNoCase) */
  withoutCase: Type.Integer(),
  ready: Type.Boolean(),
});
export type PreviewView = Static<typeof PreviewReply>;
export type PreviewRow = Static<typeof PreviewRowSchema>;

export const BatchReply = Type.Object({
  created: Type.Array(
    Type.Object({
      villageId: Type.Integer(),
      villageName: Type.String(),
      session: Type.Object({
        id: Type.Integer(),
        title: Type.String(),
        caseId: Type.Union([Type.Integer(), Type.Null()]),
        scheduledOpenAt: NullableIso,
        scheduledCloseAt: NullableIso,
      }),
    }),
  ),
  /** villages whose creation failed after the batch was checked (e.g. the database went away) */
  failed: Type.Array(Type.Object({ villageId: Type.Integer(), villageName: Type.String(), message: Type.String() })),
});
export type BatchResult = Static<typeof BatchReply>;

export const ScheduleBody = Type.Object({ openAt: NullableIso, closeAt: NullableIso }, { additionalProperties: false });
export type ScheduleInput = Static<typeof ScheduleBody>;

export const ResidentsFileQuery = Type.Object(
  { filename: Type.String({ minLength: 1, maxLength: 255, description: '原文件名，按扩展名 .xlsx / .csv 判断格式' }) },
  { additionalProperties: false },
);

export const ResidentsFileReply = Type.Object({
  /** the rows read, in the file's order; names as written (村名, or 乡镇/村名) */
  rows: Type.Array(Type.Object({ row: Type.Integer(), name: Type.String(), residents: Type.Integer() })),
  /** the rows that could not be read, each with its spreadsheet row number */
  problems: Type.Array(Type.Object({ row: Type.Integer(), message: Type.String() })),
});
export type ResidentsFileView = Static<typeof ResidentsFileReply>;
