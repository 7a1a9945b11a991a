// The state of the 批量安排 page: the villages in the caller's scope (to pick from and to match names
// of a pasted table), the chosen rows with their residents present, the kind, title and times, the
// server's preview, and the result of creating the batch.
import { api, ApiError, messageOf, type RegionSummary, type SessionKind, type User } from '../../lib/api.ts';
import { fromChinaInput } from '../../lib/chinaTime.ts';
import { parseResidentsText } from './csv.ts';
import { scheduleApi, type BatchInput, type BatchResult, type Preview, type ResidentsTable } from './scheduleApi.ts';
import { matchTable, templateCsv } from './table.ts';

/** A batch's table is a few hundred lines: anything near this is not one. */
const MAX_TABLE_BYTES = 2 * 1024 * 1024;

export interface ScopeVillage {
  id: number;
  name: string;
  townshipName: string;
}

export interface Row {
  villageId: number;
  name: string;
  townshipName: string;
  /** as typed: checked when previewing */
  residents: string;
}

export class BatchForm {
  villages = $state.raw<ScopeVillage[]>([]);
  loadError = $state('');
  rows = $state<Row[]>([]);
  kind = $state<SessionKind>('self_evaluation');
  title = $state('');
  openAt = $state('');
  closeAt = $state('');
  acknowledge = $state(false);
  preview = $state.raw<Preview | null>(null);
  result = $state.raw<BatchResult | null>(null);
  /** what is wrong with the form or the last call */
  error = $state('');
  /** lines of a pasted or uploaded table that could not be used, or why the file was refused */
  importProblems = $state.raw<string[]>([]);
  /** what the last table did, e.g. 已从 a.xlsx 读入 3 个村的人数 */
  importNote = $state('');
  /** a file is being read by the server */
  reading = $state(false);
  busy = $state(false);

  /** Every village under the user's township or county, by township. */
  async load(user: User, prefill: number[]): Promise<void> {
    try {
      const own = await api.children(user.regionId);
      const townships =
        own.region.level === 'township' ? [own] : await Promise.all(own.children.map((t) => api.children(t.id)));
      this.villages = townships.flatMap((t) =>
        t.children
          .filter((c: RegionSummary) => c.level === 'village')
          .map((c) => ({ id: c.id, name: c.name, townshipName: t.region.name })),
      );
      for (const id of prefill) this.add(id);
    } catch (err) {
      this.loadError = messageOf(err);
    }
  }

  has(id: number): boolean {
    return this.rows.some((r) => r.villageId === id);
  }

  add(id: number, residents = ''): void {
    const v = this.villages.find((x) => x.id === id);
    if (!v) return;
    const row = this.rows.find((r) => r.villageId === id);
    if (row) {
      if (residents !== '') row.residents = residents;
    } else {
      this.rows.push({ villageId: v.id, name: v.name, townshipName: v.townshipName, residents });
    }
    this.preview = null;
  }

  remove(id: number): void {
    this.rows = this.rows.filter((r) => r.villageId !== id);
    this.preview = null;
  }

  /** Pasted lines (村名,人数): rows that match one village fill its count, the others are listed. */
  importText(text: string): void {
    this.applyTable(parseResidentsText(text), '粘贴的内容');
  }

  /** An .xlsx or .csv, read by the server (nothing is stored); a refused file changes nothing here. */
  async importFile(file: File): Promise<void> {
    this.importNote = '';
    this.importProblems = [];
    if (!/\.(xlsx|csv)$/i.test(file.name)) {
      this.importProblems = [
        /\.xls$/i.test(file.name) ? '请在 Excel 中另存为 .xlsx 后再上传' : '只能读取 .xlsx 或 .csv 文件',
      ];
      return;
    }
    if (file.size > MAX_TABLE_BYTES) return void (this.importProblems = ['文件超过 2 MB，不像在村人数表']);
    this.reading = true;
    try {
      this.applyTable(await scheduleApi.readResidentsFile(file), `文件“${file.name}”`);
    } catch (err) {
      this.importProblems = [`文件“${file.name}”未能读取：${messageOf(err)}`];
    } finally {
      this.reading = false;
    }
  }

  private applyTable(table: ResidentsTable, source: string): void {
    const { found, problems } = matchTable(table, this.villages);
    for (const f of found) this.add(f.villageId, String(f.residents));
    this.importProblems = problems;
    this.importNote =
      found.length === 0 && problems.length === 0
        ? `${source}中没有村的人数`
        : `已从${source}读入 ${found.length} 个村的人数${problems.length ? `，${problems.length} 行未读入：` : ''}`;
  }

  /** The template for download: the chosen villages and what is typed so far. */
  template(): string {
    return templateCsv(this.rows, this.villages);
  }

  private body(): BatchInput | null {
    const bad = this.rows.find((r) => !/^\d{1,6}$/.test(r.residents.trim()) || Number(r.residents) > 100000);
    if (this.rows.length === 0) this.error = '请先选择至少一个村';
    else if (bad) this.error = `请填写${bad.name}的在村人数（0 到 100000 的整数）`;
    else if (this.openAt && !fromChinaInput(this.openAt)) this.error = '定时开始时间格式不对';
    else if (this.closeAt && !fromChinaInput(this.closeAt)) this.error = '定时结束时间格式不对';
    else this.error = '';
    if (this.error) return null;
    return {
      kind: this.kind,
      villages: this.rows.map((r) => ({ villageId: r.villageId, residentsPresent: Number(r.residents) })),
      ...(this.title.trim() ? { title: this.title.trim() } : {}),
      openAt: fromChinaInput(this.openAt),
      closeAt: fromChinaInput(this.closeAt),
      acknowledgeNoCase: this.acknowledge,
    };
  }

  async runPreview(): Promise<void> {
    const body = this.body();
    if (!body || this.busy) return;
    this.busy = true;
    try {
      this.preview = await scheduleApi.preview(body);
    } catch (err) {
      this.preview = null;
      this.error = messageOf(err);
    } finally {
      this.busy = false;
    }
  }

  /** Creates the batch; the error stays in `error` (the server names every village it refused). */
  async create(): Promise<boolean> {
    const body = this.body();
    if (!body || this.busy) return false;
    this.busy = true;
    try {
      this.result = await scheduleApi.create(body);
      return true;
    } catch (err) {
      this.error = err instanceof ApiError ? err.message : messageOf(err);
      return false;
    } finally {
      this.busy = false;
    }
  }
}
