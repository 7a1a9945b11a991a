// One village import: choose a file, check it (dry run: the server validates every row and
// writes nothing), then import it for real. A rejected file is reported row by row.
import { ApiError, messageOf } from '../../lib/api.ts';
import {
  MAX_IMPORT_BYTES,
  rowErrorsOf,
  uploadImport,
  type ImportResult,
  type ImportRowError,
  type UploadPhase,
} from '../../lib/upload.ts';

export class VillageImport {
  file = $state.raw<File | null>(null);
  phase = $state<UploadPhase | null>(null);
  percent = $state(0);
  /** The mode of the request running or last answered. */
  dryRun = $state(true);
  result = $state.raw<ImportResult | null>(null);
  rowErrors = $state.raw<ImportRowError[]>([]);
  error = $state('');

  get busy(): boolean {
    return this.phase !== null;
  }

  /** A dry run of this very file passed: the real import may go ahead. */
  get checked(): boolean {
    return this.result?.dryRun === true;
  }

  choose(file: File | null): void {
    this.file = null;
    this.result = null;
    this.rowErrors = [];
    this.error = '';
    if (!file) return;
    if (!/\.(csv|xlsx)$/i.test(file.name)) {
      this.error = '只支持 .csv 或 .xlsx 文件';
      return;
    }
    if (file.size > MAX_IMPORT_BYTES) {
      this.error = '文件超过 10 MB，请拆分后分批导入';
      return;
    }
    this.file = file;
  }

  async run(dryRun: boolean): Promise<void> {
    if (!this.file || this.busy) return;
    this.dryRun = dryRun;
    this.result = null;
    this.rowErrors = [];
    this.error = '';
    try {
      this.result = await uploadImport(this.file, dryRun, (phase, percent) => {
        this.phase = phase;
        this.percent = percent;
      });
    } catch (err) {
      this.error = messageOf(err);
      if (err instanceof ApiError && err.code === 'IMPORT_REJECTED') this.rowErrors = rowErrorsOf(err.details);
    } finally {
      this.phase = null;
    }
  }
}
