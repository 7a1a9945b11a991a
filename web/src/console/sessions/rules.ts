// What the console shows about sessions comes from the server's own pure rules (one source of
// truth): which role may take which action in which state, the kinds each role runs, the labels,
// the default questionnaire and rule set, and the rule in words. These modules have no I/O.
import type { SessionView, User } from '../../lib/api.ts';
import { chinaText } from '../../lib/chinaTime.ts';
import { defaultQuestionnaire } from '../../../../server/modules/sessions/questionnaire.ts';
import {
  KIND_LABEL,
  KINDS_RUN_BY,
  refusal,
  STATUS_LABEL,
  type SessionAction,
} from '../../../../server/modules/sessions/sessions.rules.ts';
import { defaultRuleSet, describeRules, OUTCOME_LABEL } from '../../../../server/modules/tallies/tallies.rules.ts';

export { defaultQuestionnaire, defaultRuleSet, describeRules, KIND_LABEL, KINDS_RUN_BY, OUTCOME_LABEL, STATUS_LABEL };
export type { SessionAction };

/** May this user take this action on this session now? (The server checks again.) */
export function can(user: User, session: SessionView, action: SessionAction): boolean {
  return refusal(user.role, session.kind, action, session.status) === null;
}

export const EVENT_LABEL: Record<string, string> = {
  create: '创建测评',
  update: '修改测评',
  confirm_residents: '确认在村人数',
  issue_slips: '发放测评票',
  void_batch: '作废一批测评票',
  open: '开始测评',
  close: '结束测评',
  certify: '认证签字',
  void: '作废测评',
  schedule: '设置定时',
  scheduled_open_failed: '定时开始未执行',
  scheduled_close_failed: '定时结束未执行',
};

const FIELD_LABEL: Record<string, string> = {
  title: '名称',
  residentsPresent: '在村人数',
  questionnaire: '问卷',
  rules: '判定规则',
};

const num = (v: unknown): number | null => (typeof v === 'number' ? v : null);

/** One line saying what an event changed, from its recorded detail. */
export function eventDetail(action: string, d: Record<string, unknown>, batchNumber: (id: number) => number): string {
  switch (action) {
    case 'create':
      return `在村人数 ${num(d.residentsPresent) ?? '—'} 人`;
    case 'update': {
      const fields = Array.isArray(d.fields) ? d.fields.map((f) => FIELD_LABEL[String(f)] ?? String(f)) : [];
      const r = d.residentsPresent as { from?: number; to?: number } | undefined;
      const change = r ? `（在村人数 ${r.from} → ${r.to}，须重新确认）` : '';
      return `修改了${fields.join('、')}${change}`;
    }
    case 'confirm_residents':
      return `在村人数 ${num(d.residentsPresent) ?? '—'} 人`;
    case 'issue_slips':
      return `第 ${batchNumber(num(d.batchId) ?? 0)} 批，${num(d.count) ?? '—'} 张`;
    case 'void_batch':
      return `第 ${batchNumber(num(d.batchId) ?? 0)} 批，作废未使用的 ${num(d.voided) ?? '—'} 张`;
    case 'open':
      return `在村人数 ${num(d.residentsPresent) ?? '—'} 人，已发放 ${num(d.issued) ?? '—'} 张`;
    case 'close':
      return `收回 ${num(d.ballots) ?? '—'} 张，判定：${OUTCOME_LABEL[d.outcome as 'pass'] ?? '—'}`;
    case 'certify':
      return `主持人 ${String(d.host ?? '')}`;
    case 'void':
      return `原因：${String(d.reason ?? '')}`;
    case 'schedule':
      return scheduleText(d.openAt, d.closeAt);
    case 'scheduled_open_failed':
    case 'scheduled_close_failed':
      return `${String(d.reason ?? '')}（原定 ${chinaText(String(d.dueAt ?? ''))}）`;
    default:
      return '';
  }
}

/** 「定时开始 2026-06-01 09:00，定时结束 …」 in China time, or 「取消定时」. */
export function scheduleText(openAt: unknown, closeAt: unknown): string {
  const parts = [
    typeof openAt === 'string' ? `定时开始 ${chinaText(openAt)}` : '',
    typeof closeAt === 'string' ? `定时结束 ${chinaText(closeAt)}` : '',
  ].filter(Boolean);
  return parts.length > 0 ? parts.join('，') : '取消定时';
}

/** A batch is called by its place in the session (第 1 批, 第 2 批), not by its database id. */
export function batchNumberOf(batches: readonly { id: number }[], batchId: number): number {
  const i = batches.findIndex((b) => b.id === batchId);
  return i >= 0 ? i + 1 : batchId;
}

export function formatDateTime(iso: string | null): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** The audit anchor as printed for people to copy: `37-3f2a 9c0b …` (the audit entry's number, then
 * its hash in groups of four); `npm run verify -- --head` takes it as printed. */
export function anchorCode(anchor: { id: number; hash: string }): string {
  return `${anchor.id}-${(anchor.hash.match(/.{1,4}/g) ?? []).join(' ')}`;
}
