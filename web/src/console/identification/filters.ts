// The register's view kept in the fragment's query (`#/identification?region=3&year=2026&grade=weak`),
// so back/forward and links keep a view; region and year choose what is read, the filters are
// applied in the browser (identification.rules matches).
import { GRADES, LEVELS, OUTCOMES, STAGES, type RegisterFilter } from './identificationApi.ts';

export interface View extends RegisterFilter {
  region?: number | undefined;
  year?: number | undefined;
}

const positive = (s: string | undefined): number | undefined =>
  s && /^\d{1,9}$/.test(s) && Number(s) > 0 ? Number(s) : undefined;
const oneOf = <T extends string>(list: readonly T[], s: string | undefined): T | undefined =>
  list.includes(s as T) ? (s as T) : undefined;

/** The view named in the fragment's query; unknown values are dropped. */
export function viewFrom(query: Record<string, string>): View {
  return {
    region: positive(query.region),
    year: positive(query.year),
    township: positive(query.township),
    grade: oneOf([...GRADES, 'none'], query.grade),
    level: oneOf([...LEVELS, 'none'], query.level),
    outcome: oneOf([...OUTCOMES, 'undecided'], query.outcome),
    stage: oneOf([...STAGES, 'none'], query.stage),
  };
}

/** `identification?region=…` (or `identification/print?…`) of the set fields of a view. */
export function registerPath(view: View, sub = ''): string {
  const params = new URLSearchParams();
  for (const key of ['region', 'year', 'township', 'grade', 'level', 'outcome', 'stage'] as const) {
    const value = view[key];
    if (value !== undefined) params.set(key, String(value));
  }
  const s = params.toString();
  return `identification${sub}${s ? `?${s}` : ''}`;
}

/** Is any filter set (beyond region and year)? */
export const filtered = (view: View): boolean =>
  (['township', 'grade', 'level', 'outcome', 'stage'] as const).some((k) => view[k] !== undefined);
