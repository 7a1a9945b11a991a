// 村情档案 (village file): the field catalogue and the pure rules over it. The catalogue is the one
// place a field is named: the form, the XLSX columns, validation, completeness, the change log's
// diff and the carry-forward to a new year all read FIELDS. The values are stored as one jsonb
// object (sql/0011): a county that wants one more figure gets it here without a migration, and an
// older year's file keeps what it was kept with. Integers only: money is whole 元 (shown in 万元).
//
// Completeness: a field counts when it is required and holds a value; a file's (and an aspect's)
// percentage is floor(100 × filled ÷ required), so 100 % means every required field is filled
// (never rounded up); nothing required counts as 100 %.
import type { FieldError } from '../../errors.ts';

export const ASPECTS = [
  { key: 'overview', label: '村情概况' },
  { key: 'cadres', label: '村干部队伍' },
  { key: 'party', label: '村党组织和党员队伍' },
  { key: 'economy', label: '村集体经济' },
  { key: 'governance', label: '村级治理' },
] as const;
export type AspectKey = (typeof ASPECTS)[number]['key'];

/** count: a whole number of `unit`; money: whole 元, entered and shown in 万元; text: one line; note: free text. */
export type FieldKind = 'count' | 'money' | 'text' | 'note';

export interface FieldDef {
  key: string;
  aspect: AspectKey;
  label: string;
  kind: FieldKind;
  /** what a count counts (户, 人, 名, 个, 件, 岁); 万元 for money */
  unit: string;
  min: number;
  /** counts: the largest value; money: the largest in 元; text and notes: the most characters */
  max: number;
  /** counted by completeness */
  required: boolean;
  /** copied into next year's file (stocks such as population); figures of the year itself are not */
  carry: boolean;
  hint?: string;
}

const count = (
  aspect: AspectKey,
  key: string,
  label: string,
  unit: string,
  max: number,
  more: Partial<FieldDef> = {},
) => ({ key, aspect, label, kind: 'count', unit, min: 0, max, required: true, carry: true, ...more }) as FieldDef;
const money = (aspect: AspectKey, key: string, label: string, hint: string): FieldDef => ({
  key,
  aspect,
  label,
  kind: 'money',
  unit: '万元',
  min: 0,
  max: 10_000_000_000,
  required: true,
  carry: false,
  hint,
});
const note = (aspect: AspectKey, key: string, label: string, hint: string): FieldDef => ({
  key,
  aspect,
  label,
  kind: 'note',
  unit: '',
  min: 0,
  max: 2000,
  required: false,
  carry: true,
  hint,
});
const yearly = { carry: false };

export const FIELDS: readonly FieldDef[] = [
  count('overview', 'households', '户数', '户', 100_000),
  count('overview', 'registered', '户籍人口', '人', 1_000_000),
  count('overview', 'resident', '经常在村人数', '人', 1_000_000, { hint: '常住、经常在村居住的人数（含非户籍）' }),
  count('overview', 'groups', '村民小组数', '个', 1000),
  note('overview', 'overviewNote', '村情概况说明', '地理位置、产业基础、主要特点等'),
  {
    key: 'secretaryName',
    aspect: 'cadres',
    label: '村党组织书记',
    kind: 'text',
    unit: '',
    min: 0,
    max: 32,
    required: true,
    carry: true,
  },
  count('cadres', 'secretaryAge', '书记年龄', '岁', 100, { min: 18 }),
  count('cadres', 'cadres', '村“两委”干部数', '人', 100),
  count('cadres', 'reserves', '后备力量数', '人', 100),
  note('cadres', 'cadresNote', '村干部队伍情况', '班子结构、履职情况、“一肩挑”、交叉任职等'),
  count('party', 'members', '党员数', '名', 10_000),
  count('party', 'membersUpTo35', '35岁及以下党员', '名', 10_000),
  count('party', 'members36To60', '36至60岁党员', '名', 10_000),
  count('party', 'membersOver60', '61岁及以上党员', '名', 10_000),
  count('party', 'activists', '入党积极分子数', '名', 10_000),
  note('party', 'partyNote', '村党组织和党员队伍情况', '组织设置、“三会一课”、党员教育管理等'),
  money('economy', 'income', '村集体经济收入', '本年度村集体经济总收入'),
  money('economy', 'operatingIncome', '其中经营性收入', '不超过村集体经济收入'),
  note('economy', 'economyNote', '村集体经济情况', '主要收入来源、产业项目、资产负债等'),
  count('governance', 'disputes', '年内矛盾纠纷数', '件', 10_000, yearly),
  count('governance', 'disputesResolved', '其中已化解', '件', 10_000, yearly),
  count('governance', 'petitions', '年内信访件数', '件', 10_000, yearly),
  note('governance', 'governanceNote', '村级治理情况', '村务公开、“四议两公开”、网格管理、突出问题等'),
];

export const FIELD_BY_KEY: ReadonlyMap<string, FieldDef> = new Map(FIELDS.map((f) => [f.key, f]));

export type FieldValue = number | string;
/** a file's values: a key is present only when the field holds a value */
export type FileData = Record<string, FieldValue>;

/** The heading of a field in the form's labels and the XLSX: 户数（户）, 村集体经济收入（万元）. */
export const fieldHeading = (f: FieldDef): string => (f.unit ? `${f.label}（${f.unit}）` : f.label);

/** 元 as 万元 text, exact: 123456 → "12.3456", 50000 → "5". */
export function wanText(yuan: number): string {
  const whole = Math.floor(yuan / 10_000);
  const rest = String(yuan % 10_000)
    .padStart(4, '0')
    .replace(/0+$/, '');
  return rest ? `${whole}.${rest}` : String(whole);
}

/** 万元 text (at most 4 decimals: whole 元) as 元, or null if it is not such a number. */
export function yuanOfWan(text: string): number | null {
  const m = /^(\d{1,7})(?:\.(\d{1,4}))?$/.exec(text);
  if (!m) return null;
  return Number(m[1]) * 10_000 + Number((m[2] ?? '').padEnd(4, '0'));
}

/** A field's value as a person reads it (the change log, the print, the XLSX of notes and names). */
export function displayValue(f: FieldDef, v: FieldValue | undefined): string {
  if (v === undefined) return '';
  return f.kind === 'money' ? wanText(v as number) : String(v);
}

function rangeMessage(f: FieldDef): string {
  if (f.kind === 'money') return `应为 0 至 ${wanText(f.max)} 之间的金额（万元，最多 4 位小数）`;
  return `应为 ${f.min} 至 ${f.max} 之间的整数`;
}

/** Checks one value given as JSON (counts and money as integers, money in 元); undefined: not filled. */
export function checkValue(f: FieldDef, raw: unknown): { value?: FieldValue; error?: string } {
  if (raw === null || raw === undefined || raw === '') return {};
  if (f.kind === 'text' || f.kind === 'note') {
    if (typeof raw !== 'string') return { error: '应为文字' };
    const text = f.kind === 'text' ? raw.trim() : raw.replace(/\s+$/, '');
    if (text === '') return {};
    if ([...text].length > f.max) return { error: `不能超过 ${f.max} 个字` };
    if (f.kind === 'text' && /[\p{Cc}]/u.test(text)) return { error: '不能含换行等控制字符' };
    return { value: text };
  }
  if (typeof raw !== 'number' || !Number.isSafeInteger(raw) || raw < f.min || raw > f.max) {
    return { error: rangeMessage(f) };
  }
  return { value: raw };
}

/** The same from a spreadsheet cell's text: counts as digits, money in 万元. */
export function parseCell(f: FieldDef, text: string): { value?: FieldValue; error?: string } {
  if (f.kind === 'text' || f.kind === 'note') return checkValue(f, text);
  // thousands separators and stray spaces, as spreadsheets write them
  const t = text.replace(/[,，\s]/g, '');
  if (t === '') return {};
  if (f.kind === 'money') {
    const yuan = yuanOfWan(t);
    return yuan === null ? { error: rangeMessage(f) } : checkValue(f, yuan);
  }
  return /^\d{1,9}$/.test(t) ? checkValue(f, Number(t)) : { error: rangeMessage(f) };
}

/** Checks that hold between fields of one file. */
export function crossChecks(data: FileData): FieldError[] {
  const errors: FieldError[] = [];
  const n = (k: string) => data[k] as number | undefined;
  const ages = [n('membersUpTo35'), n('members36To60'), n('membersOver60')];
  const members = n('members');
  if (members !== undefined && ages.every((a) => a !== undefined)) {
    const sum = (ages as number[]).reduce((a, b) => a + b, 0);
    if (sum !== members) {
      errors.push({ field: 'members', message: `党员数（${members}）应等于三个年龄段党员之和（${sum}）` });
    }
  }
  const under = (part: string, whole: string, message: string) => {
    const p = n(part);
    const w = n(whole);
    if (p !== undefined && w !== undefined && p > w) errors.push({ field: part, message });
  };
  under('operatingIncome', 'income', '经营性收入不能大于村集体经济收入');
  under('disputesResolved', 'disputes', '已化解的矛盾纠纷数不能大于年内矛盾纠纷数');
  return errors;
}

/** Validates a whole file given as JSON: every problem, each with its field and a Chinese message. */
export function checkData(input: Record<string, unknown>): { data: FileData; errors: FieldError[] } {
  const data: FileData = {};
  const errors: FieldError[] = [];
  for (const [key, raw] of Object.entries(input)) {
    const f = FIELD_BY_KEY.get(key);
    if (!f) {
      errors.push({ field: key, message: `没有名为 ${key} 的档案项目` });
      continue;
    }
    const r = checkValue(f, raw);
    if (r.error) errors.push({ field: key, message: `${f.label}${r.error}` });
    else if (r.value !== undefined) data[key] = r.value;
  }
  if (errors.length === 0) errors.push(...crossChecks(data));
  return { data, errors };
}

export interface Completeness {
  filled: number;
  required: number;
  /** floor(100 × filled ÷ required); 100 when nothing is required */
  percent: number;
}

export const percentOf = (filled: number, required: number): number =>
  required === 0 ? 100 : Math.floor((100 * filled) / required);

function completenessOf(fields: readonly FieldDef[], data: FileData): Completeness {
  const required = fields.filter((f) => f.required);
  const filled = required.filter((f) => data[f.key] !== undefined).length;
  return { filled, required: required.length, percent: percentOf(filled, required.length) };
}

/** A file's completeness, whole and per aspect (in the catalogue's order). */
export function completeness(data: FileData): Completeness & {
  aspects: (Completeness & { aspect: AspectKey; label: string })[];
} {
  return {
    ...completenessOf(FIELDS, data),
    aspects: ASPECTS.map((a) => ({
      aspect: a.key,
      label: a.label,
      ...completenessOf(
        FIELDS.filter((f) => f.aspect === a.key),
        data,
      ),
    })),
  };
}

export interface FieldChange {
  field: string;
  from: FieldValue | null;
  to: FieldValue | null;
}

/** What changed between two versions, field by field in the catalogue's order (then any other key). */
export function diff(before: FileData, after: FileData): FieldChange[] {
  const keys = [...FIELDS.map((f) => f.key)];
  for (const k of [...Object.keys(before), ...Object.keys(after)]) if (!keys.includes(k)) keys.push(k);
  return keys
    .filter((k) => before[k] !== after[k])
    .map((k) => ({ field: k, from: before[k] ?? null, to: after[k] ?? null }));
}

/** Next year's file starts from last year's: the fields that carry (stocks), not the year's own figures. */
export function carryForward(last: FileData): FileData {
  const out: FileData = {};
  for (const f of FIELDS) if (f.carry && last[f.key] !== undefined) out[f.key] = last[f.key] as FieldValue;
  return out;
}
