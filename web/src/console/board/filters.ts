// The board's view of its rows: the filters, search and sort kept in the fragment's query
// (`#/board?region=3&year=2026&light=red&sort=rate`) so back/forward and links keep a view, and
// applied in the browser to every village of the region, so each filter value can show how many
// villages the other filters leave. Region and year are the server's (they choose what is read).
import type { CaseState, LightColor } from '../../lib/casesApi.ts';
import type { SessionKind } from '../../lib/api.ts';
import { LIGHTS, STATE_LABEL, STATE_ORDER } from '../cases/caseLabels.ts';
import { KIND_LABEL } from '../sessions/rules.ts';
import type { BoardVillage, LatestSession, Outcome } from './boardApi.ts';

export type StateChoice = CaseState | 'unlisted';
export type VerdictChoice = Outcome | 'none';
export type SortKey = 'township' | 'village' | 'state' | 'light' | 'rate' | 'margin' | 'turnout' | 'next';

export interface View {
  region?: number;
  year?: number;
  township?: number;
  state?: StateChoice;
  light?: LightColor;
  verdict?: VerdictChoice;
  kind?: SessionKind;
  q?: string;
  sort?: SortKey;
  desc?: boolean;
}

export const KINDS = Object.keys(KIND_LABEL) as SessionKind[];
export const VERDICTS: readonly VerdictChoice[] = ['pass', 'fail', 'undecidable', 'none'];
export const STATES: readonly StateChoice[] = [...STATE_ORDER, 'unlisted'];
const SORTS: readonly SortKey[] = ['township', 'village', 'state', 'light', 'rate', 'margin', 'turnout', 'next'];

const positive = (s: string | undefined): number | undefined =>
  s && /^\d{1,9}$/.test(s) && Number(s) > 0 ? Number(s) : undefined;
const oneOf = <T extends string>(list: readonly T[], s: string | undefined): T | undefined =>
  list.includes(s as T) ? (s as T) : undefined;

/** The view named in the fragment's query; unknown values are dropped. */
export function viewFrom(query: Record<string, string>): View {
  const v: View = {
    region: positive(query.region),
    year: positive(query.year),
    township: positive(query.township),
    state: oneOf(STATES, query.state),
    light: oneOf(LIGHTS, query.light),
    verdict: oneOf(VERDICTS, query.verdict),
    kind: oneOf(KINDS, query.kind),
    q: query.q?.trim() || undefined,
    sort: oneOf(SORTS, query.sort),
    desc: query.dir === 'desc' || undefined,
  };
  return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined)) as View;
}

/** The fragment's query of a view ('' when nothing is set). */
export function queryOf(v: View): string {
  const q = new URLSearchParams();
  const put = (k: string, x: string | number | undefined) => x !== undefined && x !== '' && q.set(k, String(x));
  put('region', v.region);
  put('year', v.year);
  put('township', v.township);
  put('state', v.state);
  put('light', v.light);
  put('verdict', v.verdict);
  put('kind', v.kind);
  put('q', v.q);
  put('sort', v.sort);
  if (v.desc) q.set('dir', 'desc');
  const s = q.toString();
  return s ? `?${s}` : '';
}

export const boardPath = (v: View, sub = ''): string => `board${sub}${queryOf(v)}`;

/** The latest evaluations the view shows of a village (one kind when the kind filter is set). */
export const latestOf = (v: BoardVillage, kind?: SessionKind): LatestSession[] =>
  kind ? v.latest.filter((s) => s.kind === kind) : v.latest;

/** The village's verdict the board goes by: that of its most recently closed evaluation shown. */
export function mainVerdict(v: BoardVillage, kind?: SessionKind): LatestSession | null {
  const closed = latestOf(v, kind).filter((s) => s.verdict !== null);
  closed.sort((a, b) => (b.closedAt ?? '').localeCompare(a.closedAt ?? ''));
  return closed[0] ?? null;
}

export const verdictOf = (v: BoardVillage, kind?: SessionKind): VerdictChoice =>
  mainVerdict(v, kind)?.verdict?.outcome ?? 'none';
export const stateOf = (v: BoardVillage): StateChoice => v.case?.state ?? 'unlisted';

type Dimension = 'township' | 'state' | 'light' | 'verdict' | 'kind';

function matches(v: BoardVillage, f: View, skip: Dimension | null = null): boolean {
  const q = f.q?.toLowerCase();
  return (
    (skip === 'township' || !f.township || v.townshipId === f.township) &&
    (skip === 'state' || !f.state || stateOf(v) === f.state) &&
    (skip === 'light' || !f.light || v.case?.light.color === f.light) &&
    (skip === 'kind' || !f.kind || v.latest.some((s) => s.kind === f.kind)) &&
    (skip === 'verdict' || !f.verdict || verdictOf(v, f.kind) === f.verdict) &&
    (!q || `${v.villageName} ${v.townshipName}`.toLowerCase().includes(q))
  );
}

/** How many villages each value of each filter would leave, the other filters kept. */
export function countsOf(villages: readonly BoardVillage[], f: View) {
  const count = <T>(dim: Dimension, values: readonly T[], pick: (v: BoardVillage) => T | T[]) => {
    const rest = villages.filter((v) => matches(v, f, dim));
    const n = new Map<T, number>(values.map((x) => [x, 0]));
    for (const v of rest) for (const x of [pick(v)].flat() as T[]) n.set(x, (n.get(x) ?? 0) + 1);
    return n;
  };
  return {
    township: count('township', [], (v) => v.townshipId),
    state: count('state', STATES, stateOf),
    light: count<LightColor | 'none'>('light', LIGHTS, (v) => v.case?.light.color ?? 'none'),
    verdict: count('verdict', VERDICTS, (v) => verdictOf(v, f.kind)),
    kind: count('kind', KINDS, (v) => [...new Set(v.latest.map((s) => s.kind))]),
  };
}
export type Counts = ReturnType<typeof countsOf>;

/** The townships of the villages, by name. */
export function townshipsOf(villages: readonly BoardVillage[]): [number, string][] {
  return [...new Map(villages.map((v) => [v.townshipId, v.townshipName])).entries()].sort((a, b) =>
    a[1].localeCompare(b[1], 'zh-CN'),
  );
}

const LIGHT_RANK: Record<LightColor, number> = { red: 0, yellow: 1, green: 2 };
const collator = new Intl.Collator('zh-CN');

/** The open session's turnout as a share of the residents present (for sorting). */
function turnoutOf(v: BoardVillage): number | null {
  const open = v.latest.find((s) => s.status === 'open');
  return open && open.residentsPresent > 0 ? open.used / open.residentsPresent : null;
}

const KEY: Record<SortKey, (v: BoardVillage, kind?: SessionKind) => string | number | null> = {
  township: (v) => v.townshipName,
  village: (v) => v.villageName,
  state: (v) => (v.case ? STATE_ORDER.indexOf(v.case.state) : null),
  light: (v) => (v.case ? LIGHT_RANK[v.case.light.color] : null),
  rate: (v, k) => mainVerdict(v, k)?.verdict?.ratePermille ?? null,
  margin: (v, k) => mainVerdict(v, k)?.verdict?.margin ?? null,
  turnout: turnoutOf,
  next: (v) => v.nextStep?.label ?? null,
};

/** The rows the view shows, in its order (village names break ties; empty values go last). */
export function rowsOf(villages: readonly BoardVillage[], f: View): BoardVillage[] {
  const key = KEY[f.sort ?? 'township'];
  const dir = f.desc ? -1 : 1;
  const cmp = (a: string | number | null, b: string | number | null): number => {
    if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1;
    return dir * (typeof a === 'number' && typeof b === 'number' ? a - b : collator.compare(String(a), String(b)));
  };
  return villages
    .filter((v) => matches(v, f))
    .sort(
      (a, b) =>
        cmp(key(a, f.kind), key(b, f.kind)) ||
        collator.compare(a.townshipName, b.townshipName) ||
        collator.compare(a.villageName, b.villageName),
    );
}

export const STATE_CHOICE_LABEL: Record<StateChoice, string> = { ...STATE_LABEL, unlisted: '未列入' };
