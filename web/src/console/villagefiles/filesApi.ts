// The console's client of the 村情档案 routes (issue 10 item 1). Types come from the server's
// schemas; the field catalogue itself (labels, units, bounds) is the server's rules file.
import type {
  CarryResult,
  Changes,
  FileList,
  FileView,
  ImportResult,
} from '../../../../server/modules/villagefiles/villagefiles.schemas.ts';
import type { FileData } from '../../../../server/modules/villagefiles/villagefiles.rules.ts';
import { request } from '../../lib/api.ts';
import { uploadFile, type UploadPhase } from '../../lib/upload.ts';

export type { CarryResult, Changes, FileData, FileList, FileView, ImportResult };
export type FileRow = FileList['villages'][number];

function query(params: Record<string, number | string | boolean | null | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== null && v !== undefined) q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

export const filesApi = {
  list: (regionId: number | null, year: number) =>
    request<FileList>('GET', `/api/village-files${query({ regionId, year })}`),
  get: (villageId: number, year: number) => request<FileView>('GET', `/api/village-files/${villageId}/${year}`),
  save: (villageId: number, year: number, data: Record<string, number | string | null>, version: number | null) =>
    request<FileView>('PUT', `/api/village-files/${villageId}/${year}`, { data, version }),
  changes: (villageId: number, year: number) =>
    request<Changes>('GET', `/api/village-files/${villageId}/${year}/changes`),
  carryForward: (regionId: number, year: number, dryRun: boolean) =>
    request<CarryResult>('POST', '/api/village-files/carry-forward', { regionId, year, dryRun }),
  import: (file: File, year: number, dryRun: boolean, onProgress: (phase: UploadPhase, percent: number) => void) =>
    uploadFile<ImportResult>(
      '/api/village-files/import',
      file,
      { year: String(year), dryRun: String(dryRun) },
      onProgress,
    ),
};

export const exportUrl = (regionId: number | null, year: number): string =>
  `/api/village-files.xlsx${query({ regionId, year })}`;
export const templateUrl = (regionId: number | null, year: number): string =>
  `/api/village-files/template.xlsx${query({ regionId, year })}`;

/** This year in China (the server's default year). */
export function chinaYear(now = new Date()): number {
  return new Date(now.getTime() + 8 * 3600_000).getUTCFullYear();
}

/** The years offered by the year switch: this year and the five before, and the next one. */
export function yearChoices(now = new Date()): number[] {
  const y = chinaYear(now);
  return [y + 1, y, y - 1, y - 2, y - 3, y - 4, y - 5];
}
