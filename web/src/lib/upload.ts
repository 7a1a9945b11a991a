// The village import sends the raw file as the request body. XMLHttpRequest rather than fetch:
// only it reports upload progress, which matters for a 10 MB spreadsheet on a slow line.
import { networkError, reportStatus, toApiError, type ImportResult } from './api.ts';

export type { ImportResult };

export interface ImportRowError {
  row: number;
  column: string;
  message: string;
}

export type UploadPhase = 'uploading' | 'checking';

export const MAX_IMPORT_BYTES = 10 * 1024 * 1024;

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export function contentTypeOf(filename: string): string {
  const lower = filename.toLowerCase();
  if (lower.endsWith('.csv')) return 'text/csv';
  if (lower.endsWith('.xlsx')) return XLSX_TYPE;
  return 'application/octet-stream';
}

/** The per-row errors of a 422 IMPORT_REJECTED reply, or [] for any other error. */
export function rowErrorsOf(details: unknown): ImportRowError[] {
  const list = (details as { errors?: unknown } | undefined)?.errors;
  return Array.isArray(list) ? (list as ImportRowError[]) : [];
}

export function uploadImport(
  file: File,
  dryRun: boolean,
  onProgress: (phase: UploadPhase, percent: number) => void,
): Promise<ImportResult> {
  return uploadFile<ImportResult>('/api/regions/import', file, dryRun ? { dryRun: 'true' } : {}, onProgress);
}

/** Posts the file itself to an import route (`filename` and `params` in the query), with progress. */
export function uploadFile<T>(
  path: string,
  file: File,
  params: Record<string, string>,
  onProgress: (phase: UploadPhase, percent: number) => void,
): Promise<T> {
  const query = new URLSearchParams({ filename: file.name, ...params });
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `${path}?${query.toString()}`);
    xhr.setRequestHeader('Content-Type', contentTypeOf(file.name));
    xhr.responseType = 'text';
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress('uploading', Math.floor((e.loaded * 100) / e.total));
    };
    xhr.upload.onload = () => onProgress('checking', 100);
    xhr.onerror = () => reject(networkError());
    xhr.onload = () => {
      let body: unknown;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = undefined;
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        resolve(body as T);
        return;
      }
      const err = toApiError(xhr.status, body);
      reportStatus(err);
      reject(err);
    };
    onProgress('uploading', 0);
    xhr.send(file);
  });
}
