// The overview's filters (township, type, state, year, light), kept in the fragment so a filtered
// view can be bookmarked, and applied in the browser to the whole list of the caller's cases, so
// the counts at the top can show every state and light the other filters leave. The export link
// hands the same filters to the server, which applies them the same way.
import type { CaseListFilters, CaseState, CaseSummary, LightColor } from '../../lib/casesApi.ts';
import { LIGHTS, STATE_LABEL, STATE_ORDER } from './caseLabels.ts';

export type Filters = Pick<CaseListFilters, 'townshipId' | 'type' | 'state' | 'year' | 'light'>;

const isState = (s: string | undefined): s is CaseState => s !== undefined && s in STATE_LABEL;
const isLight = (s: string | undefined): s is LightColor => LIGHTS.includes(s as LightColor);
const positive = (s: string | undefined): number | undefined =>
  s && /^\d{1,9}$/.test(s) && Number(s) > 0 ? Number(s) : undefined;

/** The filters named in the fragment's query (`#/cases?township=3&state=rectifying`); unknown values are dropped. */
export function filtersFrom(query: Record<string, string>): Filters {
  const f: Filters = {};
  const township = positive(query.township);
  const year = positive(query.year);
  if (township) f.townshipId = township;
  if (year) f.year = year;
  if (query.type) f.type = query.type;
  if (isState(query.state)) f.state = query.state;
  if (isLight(query.light)) f.light = query.light;
  return f;
}

/** The fragment of the overview showing these filters. */
export function pathOf(f: Filters): string {
  const q = new URLSearchParams();
  if (f.townshipId) q.set('township', String(f.townshipId));
  if (f.type) q.set('type', f.type);
  if (f.state) q.set('state', f.state);
  if (f.year) q.set('year', String(f.year));
  if (f.light) q.set('light', f.light);
  const s = q.toString();
  return s ? `cases?${s}` : 'cases';
}

function matches(c: CaseSummary, f: Filters, skip: 'state' | 'light' | null = null): boolean {
  return (
    (!f.townshipId || c.townshipId === f.townshipId) &&
    (!f.type || c.types.includes(f.type)) &&
    (!f.year || c.campaignYear === f.year) &&
    (skip === 'state' || !f.state || c.state === f.state) &&
    (skip === 'light' || !f.light || c.light.color === f.light)
  );
}

export function applyFilters(cases: readonly CaseSummary[], f: Filters): CaseSummary[] {
  return cases.filter((c) => matches(c, f));
}

/** How many cases of each state (and light) the other filters leave: the chips at the top. */
export function countsOf(cases: readonly CaseSummary[], f: Filters) {
  const states = STATE_ORDER.map((s) => ({
    value: s,
    count: cases.filter((c) => c.state === s && matches(c, f, 'state')).length,
  }));
  const lights = LIGHTS.map((l) => ({
    value: l,
    count: cases.filter((c) => c.light.color === l && matches(c, f, 'light')).length,
  }));
  return { states, lights };
}

/** The choices of the filters, from the cases themselves. */
export function choicesOf(cases: readonly CaseSummary[]) {
  const townships = [...new Map(cases.map((c) => [c.townshipId, c.townshipName])).entries()].sort((a, b) =>
    a[1].localeCompare(b[1], 'zh-CN'),
  );
  const types = [...new Set(cases.flatMap((c) => c.types))];
  const years = [...new Set(cases.map((c) => c.campaignYear))].sort((a, b) => b - a);
  return { townships, types, years };
}

export type FilterName = 'township' | 'type' | 'state' | 'year' | 'light';

/** The filters worth showing: those that can narrow the list (two or more values among the cases),
 * and any already set (so it can be cleared). A village official never gets the township filter. */
export function usefulFilters(cases: readonly CaseSummary[], f: Filters, role: string): Set<FilterName> {
  const distinct = (values: unknown[]) => new Set(values).size > 1;
  const useful: [FilterName, boolean, unknown][] = [
    ['township', role !== 'village' && distinct(cases.map((c) => c.townshipId)), f.townshipId],
    ['type', distinct(cases.flatMap((c) => c.types)), f.type],
    ['state', distinct(cases.map((c) => c.state)), f.state],
    ['year', distinct(cases.map((c) => c.campaignYear)), f.year],
    ['light', distinct(cases.map((c) => c.light.color)), f.light],
  ];
  return new Set(useful.filter(([, narrows, set]) => narrows || set !== undefined).map(([name]) => name));
}
