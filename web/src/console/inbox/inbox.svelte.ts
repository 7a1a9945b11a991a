// The caller's inbox (GET /api/inbox): read by the menu for its count and by the inbox pages for
// the items. One shared instance, read again when the console moves to another page.
import type { Static } from 'typebox';
import type { InboxItemSchema, InboxReply } from '../../../../server/modules/inbox/inbox.schemas.ts';
import { messageOf, request } from '../../lib/api.ts';

export type Inbox = Static<typeof InboxReply>;
export type InboxItem = Static<typeof InboxItemSchema>;
export type InboxKind = InboxItem['kind'];

export const KIND_ORDER: readonly InboxKind[] = [
  'confirm_residents',
  'closing_today',
  'case_waiting',
  'problem_overdue',
  'list_waiting',
  'list_returned',
  'report_to_screen',
  'dept_report',
];

export const KIND_HEADING: Record<InboxKind, string> = {
  confirm_residents: '待确认在村人数',
  case_waiting: '待处理的整顿案件',
  problem_overdue: '超期未整改的问题',
  closing_today: '今天应结束的测评',
  dept_report: '待处理的部门报送',
  list_waiting: '待县级审议的认定名单',
  list_returned: '被退回的认定名单',
  report_to_screen: '待排查的部门报送',
};

export class InboxState {
  inbox = $state.raw<Inbox | null>(null);
  error = $state('');
  loading = $state(false);

  async load(): Promise<void> {
    this.loading = true;
    try {
      this.inbox = await request<Inbox>('GET', '/api/inbox');
      this.error = '';
    } catch (err) {
      this.error = messageOf(err);
    } finally {
      this.loading = false;
    }
  }
}

/** The console's one inbox: the menu's count and the pages share it. */
export const inbox = new InboxState();
