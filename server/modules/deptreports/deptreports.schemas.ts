import { Type, type Static } from 'typebox';
import { DateTime } from '../auth/auth.schemas.ts';

const Id = Type.Integer({ minimum: 1, maximum: 2147483647 });
const Day = Type.String({ description: 'YYYY-MM-DD' });

export const StatusSchema = Type.Union([
  Type.Literal('submitted'),
  Type.Literal('dismissed'),
  Type.Literal('screening_requested'),
]);
export const CategorySchema = Type.Union([
  Type.Literal('petition'),
  Type.Literal('integrity'),
  Type.Literal('security'),
  Type.Literal('governance'),
  Type.Literal('economy'),
  Type.Literal('other'),
]);
const ActionSchema = Type.Union([
  Type.Literal('submit'),
  Type.Literal('dismiss'),
  Type.Literal('request_screening'),
  Type.Literal('note'),
]);

export const IdParams = Type.Object({ id: Id }, { additionalProperties: false });
export const ListQuery = Type.Object(
  { status: Type.Optional(StatusSchema), regionId: Type.Optional(Id) },
  { additionalProperties: false },
);

/** Strings are checked by the rules (deptreports.rules.ts) so each problem gets its Chinese message. */
export const CreateBody = Type.Object(
  {
    villageId: Id,
    category: Type.String({ maxLength: 32 }),
    description: Type.String({ maxLength: 4000 }),
    eventDate: Type.String({ maxLength: 10 }),
  },
  { additionalProperties: false },
);
export type CreateInput = Static<typeof CreateBody>;

export const TextBody = Type.Object({ text: Type.String({ maxLength: 2000 }) }, { additionalProperties: false });

export const ReportItemSchema = Type.Object({
  id: Type.Integer(),
  village: Type.Object({ id: Type.Integer(), name: Type.String(), townshipName: Type.String() }),
  department: Type.String(),
  category: CategorySchema,
  categoryLabel: Type.String(),
  eventDate: Day,
  status: StatusSchema,
  statusLabel: Type.String(),
  createdAt: DateTime,
  /** the first 80 characters of the description */
  summary: Type.String(),
});
export type ReportItem = Static<typeof ReportItemSchema>;

export const ListReply = Type.Object({
  reports: Type.Array(ReportItemSchema),
  counts: Type.Object({
    submitted: Type.Integer({ minimum: 0 }),
    dismissed: Type.Integer({ minimum: 0 }),
    screening_requested: Type.Integer({ minimum: 0 }),
  }),
  /** at most this many reports are listed (newest first); the counts are of all */
  limit: Type.Integer(),
});
export type ListReply = Static<typeof ListReply>;

export const StepSchema = Type.Object({
  action: ActionSchema,
  actionLabel: Type.String(),
  toStatus: StatusSchema,
  at: DateTime,
  actorName: Type.String(),
  actorRoleLabel: Type.String(),
  text: Type.Union([Type.String(), Type.Null()]),
});

export const ReportViewSchema = Type.Object({
  ...ReportItemSchema.properties,
  description: Type.String(),
  reporterName: Type.String(),
  steps: Type.Array(StepSchema),
  /** what the caller may do now: dismiss, request_screening (the county), note (the township) */
  actions: Type.Array(Type.Union([Type.Literal('dismiss'), Type.Literal('request_screening'), Type.Literal('note')])),
  /** the risk screenings the township made for this report (trigger 'report'), oldest first */
  screenings: Type.Array(
    Type.Object({
      id: Type.Integer(),
      villageId: Type.Integer(),
      year: Type.Integer(),
      levelLabel: Type.String(),
      actorName: Type.String(),
      screenedAt: DateTime,
    }),
  ),
});
export type ReportView = Static<typeof ReportViewSchema>;

export const FormReply = Type.Object({
  department: Type.String(),
  county: Type.Object({ id: Type.Integer(), name: Type.String() }),
  townships: Type.Array(
    Type.Object({
      id: Type.Integer(),
      name: Type.String(),
      villages: Type.Array(Type.Object({ id: Type.Integer(), name: Type.String() })),
    }),
  ),
  categories: Type.Array(Type.Object({ value: CategorySchema, label: Type.String() })),
  /** today in China (YYYY-MM-DD): the latest event date allowed */
  today: Day,
});
export type FormReply = Static<typeof FormReply>;

/** A report whose screening the county requested, as the risk page offers it to the township. */
export const RequestedReportSchema = Type.Object({
  id: Type.Integer(),
  department: Type.String(),
  categoryLabel: Type.String(),
  eventDate: Day,
  summary: Type.String(),
  /** a screening was made for it already (another may still be made) */
  answered: Type.Boolean(),
});
export type RequestedReport = Static<typeof RequestedReportSchema>;
