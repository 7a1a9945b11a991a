// Pure matching of checked rows against the regions already in the database. Regions are matched
// by (parent, name); a code only ever fills an empty code, it never moves or renames a region.
import type { RowError, VillageRow } from './import.rules.ts';

export interface ExistingRegion {
  id: number;
  parentId: number | null;
  level: string;
  name: string;
  code: string | null;
}

export interface ImportRoot {
  id: number;
  level: 'city' | 'county';
  name: string;
}

/** Name lookups over the import root's subtree; regions created during the import are added. */
export class TreeIndex {
  private readonly byParentAndName = new Map<string, ExistingRegion>();
  private readonly byId = new Map<number, ExistingRegion>();

  constructor(
    readonly root: ImportRoot,
    regions: Iterable<ExistingRegion>,
  ) {
    for (const r of regions) this.add(r);
  }

  add(region: ExistingRegion): void {
    this.byId.set(region.id, region);
    this.byParentAndName.set(`${region.parentId ?? 0}\u0000${region.name}`, region);
  }

  child(parentId: number | undefined, name: string): ExistingRegion | undefined {
    return parentId === undefined ? undefined : this.byParentAndName.get(`${parentId}\u0000${name}`);
  }

  /** The county a row names: a child of a city root, or a county root itself. */
  county(name: string): ExistingRegion | undefined {
    if (this.root.level === 'county') return name === this.root.name ? this.byId.get(this.root.id) : undefined;
    return this.child(this.root.id, name);
  }

  township(county: string, name: string): ExistingRegion | undefined {
    return this.child(this.county(county)?.id, name);
  }

  village(row: Pick<VillageRow, 'county' | 'township' | 'village'>): ExistingRegion | undefined {
    return this.child(this.township(row.county, row.township)?.id, row.village);
  }

  has(id: number): boolean {
    return this.byId.has(id);
  }

  /** "某县 / 某镇 / 某村" for a region in the subtree (the city named only when it is the region). */
  label(id: number): string {
    const names: string[] = [];
    for (let r = this.byId.get(id); r; r = r.parentId === null ? undefined : this.byId.get(r.parentId)) {
      if (r.level === 'city' && names.length > 0) break;
      names.unshift(r.name);
    }
    return names.join(' / ');
  }
}

export interface ImportPlan {
  newCounties: string[];
  newTownships: { county: string; name: string }[];
  newVillages: { county: string; township: string; name: string; code: string | null }[];
  codeUpdates: { id: number; code: string }[];
  unchanged: number;
  errors: RowError[];
}

/**
 * What the rows change. `codeOwners` maps each code the rows give to the region holding it in
 * the database (anywhere, in scope or not).
 */
export function planImport(
  rows: readonly VillageRow[],
  index: TreeIndex,
  codeOwners: ReadonlyMap<string, number>,
  codeColumn: string,
): ImportPlan {
  const plan: ImportPlan = {
    newCounties: [],
    newTownships: [],
    newVillages: [],
    codeUpdates: [],
    unchanged: 0,
    errors: [],
  };
  const counties = new Set<string>();
  const townships = new Set<string>();
  const ownerLabel = (id: number) => (index.has(id) ? `「${index.label(id)}」` : '本辖区以外的区域');
  for (const row of rows) {
    const existing = index.village(row);
    const owner = row.code === null ? undefined : codeOwners.get(row.code);
    const fail = (message: string) => plan.errors.push({ row: row.row, column: codeColumn, message });
    if (existing) {
      if (row.code === null || row.code === existing.code) plan.unchanged++;
      else if (existing.code !== null) fail(`该村已有代码 ${existing.code}，与本行的 ${row.code} 不一致`);
      else if (owner !== undefined) fail(`代码 ${row.code} 已被${ownerLabel(owner)}使用`);
      else plan.codeUpdates.push({ id: existing.id, code: row.code });
      continue;
    }
    if (owner !== undefined) {
      fail(`代码 ${row.code} 已属于${ownerLabel(owner)}，与本行的名称或上级不同；导入不会移动或改名已有的区域`);
      continue;
    }
    if (!index.county(row.county) && !counties.has(row.county)) {
      counties.add(row.county);
      plan.newCounties.push(row.county);
    }
    const townshipKey = `${row.county}\u0000${row.township}`;
    if (!index.township(row.county, row.township) && !townships.has(townshipKey)) {
      townships.add(townshipKey);
      plan.newTownships.push({ county: row.county, name: row.township });
    }
    plan.newVillages.push({ county: row.county, township: row.township, name: row.village, code: row.code });
  }
  return plan;
}
