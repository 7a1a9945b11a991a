// One village file being edited: every field as the text typed (money in 万元), checked on the
// page with the server's own rules (villagefiles.rules: the same bounds, the same Chinese
// messages, the same cross-field checks), and the list of changes shown before saving.
import {
  crossChecks,
  diff,
  displayValue,
  FIELD_BY_KEY,
  FIELDS,
  parseCell,
  type FieldDef,
  type FileData,
} from '../../../../server/modules/villagefiles/villagefiles.rules.ts';

export interface ChangeLine {
  label: string;
  from: string;
  to: string;
}

/** What a person types for a stored value: counts as digits, money as 万元, text as is. */
export const textOf = (f: FieldDef, data: FileData): string => displayValue(f, data[f.key]);

export class FileForm {
  /** the text of every field, by key */
  values = $state<Record<string, string>>({});
  /** the data the form started from (the stored file, or last year's carried values) */
  original = $state.raw<FileData>({});
  /** errors by field key, shown once a save was tried or the field was left */
  touched = $state<Record<string, boolean>>({});
  tried = $state(false);

  reset(data: FileData): void {
    this.original = data;
    this.values = Object.fromEntries(FIELDS.map((f) => [f.key, textOf(f, data)]));
    this.touched = {};
    this.tried = false;
  }

  /** The values as the server stores them, and the error of each field that has one. */
  readonly checked = $derived.by(() => {
    const data: FileData = {};
    const errors: Record<string, string> = {};
    for (const f of FIELDS) {
      const r = parseCell(f, this.values[f.key] ?? '');
      if (r.error) errors[f.key] = r.error;
      else if (r.value !== undefined) data[f.key] = r.value;
    }
    if (Object.keys(errors).length === 0) for (const e of crossChecks(data)) errors[e.field] ??= e.message;
    return { data, errors };
  });

  errorOf(key: string): string {
    return this.tried || this.touched[key] ? (this.checked.errors[key] ?? '') : '';
  }

  get valid(): boolean {
    return Object.keys(this.checked.errors).length === 0;
  }

  /** The changes a save would make, as a person reads them. */
  readonly changes = $derived.by((): ChangeLine[] =>
    diff(this.original, this.checked.data).map((c) => {
      const f = FIELD_BY_KEY.get(c.field) as FieldDef;
      const show = (v: FileData[string] | null) =>
        v === null ? '（空）' : displayValue(f, v) + (f.kind === 'note' ? '' : f.unit === '' ? '' : ` ${f.unit}`);
      return { label: f.label, from: show(c.from), to: show(c.to) };
    }),
  );

  /** The body of the save: every field, null where empty. */
  body(): Record<string, number | string | null> {
    return Object.fromEntries(FIELDS.map((f) => [f.key, this.checked.data[f.key] ?? null]));
  }
}
