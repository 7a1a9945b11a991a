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
import { networkError, reportStatus, request, toApiError, type SessionView } from '../../lib/api.ts';
import { contentTypeOf } from '../../lib/upload.ts';

export type BatchInput = Static<typeof BatchBody>;
export type BatchResult = Static<typeof BatchReply>;
export type Preview = Static<typeof PreviewReply>;
export type PreviewRow = Preview['rows'][number];
export type ScheduleInput = Static<typeof ScheduleBody>;
export type ResidentsTable = Static<typeof ResidentsFileReply>;

/** The file itself is the body (as for the village import); the server only reads it. */
async function readResidentsFile(file: File): Promise<ResidentsTable> {
  let res: Response;
  try {
    res = await fetch(`/api/session-batches/residents-file?${new URLSearchParams({ filename: file.name })}`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': contentTypeOf(file.name) },
      body: file,
    });
  } catch {
    throw networkError();
  }
  const data: unknown = await res.json().catch(() => undefined);
  if (res.ok) return data as ResidentsTable;
  const err = toApiError(res.status, data);
  reportStatus(err);
  throw err;
}

export const scheduleApi = {
  preview: (body: BatchInput) => request<Preview>('POST', '/api/session-batches/preview', body),
  create: (body: BatchInput) => request<BatchResult>('POST', '/api/session-batches', body),
  readResidentsFile,
  setSchedule: (id: number, body: ScheduleInput) => request<SessionView>('PATCH', `/api/sessions/${id}/schedule`, body),
};
