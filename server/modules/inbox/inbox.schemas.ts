import { Type, type Static } from 'typebox';

export const InboxKindSchema = Type.Union([
  Type.Literal('confirm_residents'),
  Type.Literal('case_waiting'),
  Type.Literal('problem_overdue'),
  Type.Literal('closing_today'),
  Type.Literal('dept_report'),
  Type.Literal('list_waiting'),
  Type.Literal('list_returned'),
  Type.Literal('report_to_screen'),
]);

export const InboxItemSchema = Type.Object({
  kind: InboxKindSchema,
  title: Type.String(),
  detail: Type.String(),
  /** where it is acted on: a console hash route, e.g. #/sessions/12 */
  link: Type.String(),
  /** YYYY-MM-DD (China time), when the item has a date it is due by */
  dueDate: Type.Optional(Type.String({ format: 'date' })),
});
export type InboxItem = Static<typeof InboxItemSchema>;

const Count = Type.Integer({ minimum: 0 });

export const InboxReply = Type.Object({
  /** at most ITEM_LIMIT items of each kind; the counts are of all */
  items: Type.Array(InboxItemSchema),
  counts: Type.Object({
    confirm_residents: Count,
    case_waiting: Count,
    problem_overdue: Count,
    closing_today: Count,
    dept_report: Count,
    list_waiting: Count,
    list_returned: Count,
    report_to_screen: Count,
  }),
  total: Count,
});
export type Inbox = Static<typeof InboxReply>;
