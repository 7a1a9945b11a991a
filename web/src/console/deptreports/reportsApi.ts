// 部门报送 (年内动态排查): the console's calls of /api/dept-reports, typed from the server's schemas.
import type { Static } from 'typebox';
import type {
  FormReply,
  ListReply,
  ReportItemSchema,
  ReportViewSchema,
  StatusSchema,
} from '../../../../server/modules/deptreports/deptreports.schemas.ts';
import { request } from '../../lib/api.ts';

export type ReportStatus = Static<typeof StatusSchema>;
export type ReportItem = Omit<Static<typeof ReportItemSchema>, 'createdAt'> & { createdAt: string };
export type ReportList = Omit<Static<typeof ListReply>, 'reports'> & { reports: ReportItem[] };
export type ReportView = Omit<Static<typeof ReportViewSchema>, 'createdAt' | 'steps'> & {
  createdAt: string;
  steps: (Omit<Static<typeof ReportViewSchema>['steps'][number], 'at'> & { at: string })[];
};
export type ReportForm = Static<typeof FormReply>;

export const STATUS_CHOICES: readonly { value: ReportStatus; label: string }[] = [
  { value: 'submitted', label: '待处理' },
  { value: 'dismissed', label: '已驳回' },
  { value: 'screening_requested', label: '已启动排查' },
];

export const reportsApi = {
  list: (status: ReportStatus | null) =>
    request<ReportList>('GET', `/api/dept-reports${status ? `?status=${status}` : ''}`),
  form: () => request<ReportForm>('GET', '/api/dept-reports/form'),
  create: (body: { villageId: number; category: string; description: string; eventDate: string }) =>
    request<ReportView>('POST', '/api/dept-reports', body),
  get: (id: number) => request<ReportView>('GET', `/api/dept-reports/${id}`),
  dismiss: (id: number, text: string) => request<ReportView>('POST', `/api/dept-reports/${id}/dismiss`, { text }),
  requestScreening: (id: number) => request<ReportView>('POST', `/api/dept-reports/${id}/request-screening`, {}),
  note: (id: number, text: string) => request<ReportView>('POST', `/api/dept-reports/${id}/notes`, { text }),
};

export const shortTime = (iso: string): string =>
  new Date(iso).toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false }).replace(/:\d{2}$/, '');
