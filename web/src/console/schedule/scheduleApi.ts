// The console's client of the scheduling routes (server/modules/schedule): batches of sessions for
// many villages, and one session's scheduled open and close. Types come from the server's schemas.
import type { Static } from 'typebox';
import type {
  BatchBody,
  BatchReply,
  PreviewReply,
  ResidentsFileReply,
  ScheduleBody,
} from '../../../../server/modules/schedule/schedule.schemas.ts';
import { request, type SessionView } from '../../lib/api.ts';
import { uploadFile } from '../../lib/upload.ts';

export type BatchInput = Static<typeof BatchBody>;
export type BatchResult = Static<typeof BatchReply>;
export type Preview = Static<typeof PreviewReply>;
export type PreviewRow = Preview['rows'][number];
export type ScheduleInput = Static<typeof ScheduleBody>;
export type ResidentsTable = Static<typeof ResidentsFileReply>;

export const scheduleApi = {
  preview: (body: BatchInput) => request<Preview>('POST', '/api/session-batches/preview', body),
  create: (body: BatchInput) => request<BatchResult>('POST', '/api/session-batches', body),
  /** The file itself is the body (as for the village import); the server only reads it. */
  readResidentsFile: (file: File) =>
    uploadFile<ResidentsTable>('/api/session-batches/residents-file', file, {}, () => undefined),
  setSchedule: (id: number, body: ScheduleInput) => request<SessionView>('PATCH', `/api/sessions/${id}/schedule`, body),
};
