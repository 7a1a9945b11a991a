// A residents table (pasted, or read from a file by the server) matched to the villages in scope,
// and the template offered for download: pure, so the page only applies what comes out.
import {
  problemText,
  TEMPLATE_HEADER,
  type ResidentsTable,
} from '../../../../server/modules/schedule/residents.rules.ts';

export interface NamedVillage {
  id: number;
  name: string;
  townshipName: string;
}

export interface Matched {
  /** villages found, with the residents the table gives them */
  found: { villageId: number; residents: number }[];
  /** every row that could not be used, in the table's order, as shown to the official */
  problems: string[];
}

/** Each name must be one village in scope: 村名, or 乡镇/村名 when two share a name. */
export function matchTable(table: ResidentsTable, villages: readonly NamedVillage[]): Matched {
  const found: Matched['found'] = [];
  const problems = table.problems.map((p) => ({ row: p.row, text: problemText(p) }));
  for (const r of table.rows) {
    const hits = villages.filter((v) => v.name === r.name || `${v.townshipName}/${v.name}` === r.name);
    const problem = (message: string) => problems.push({ row: r.row, text: problemText({ row: r.row, message }) });
    if (hits.length === 1) found.push({ villageId: (hits[0] as NamedVillage).id, residents: r.residents });
    else if (hits.length === 0) problem(`您的辖区内没有名为“${r.name}”的村`);
    else problem(`有 ${hits.length} 个村名为“${r.name}”，请写成“乡镇/村名”`);
  }
  problems.sort((a, b) => a.row - b.row);
  return { found, problems: problems.map((p) => p.text) };
}

const csvCell = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/**
 * The template: 村名,到会人数 with a line per chosen village (乡镇/村名 where the name is not unique
 * in scope) and what is typed so far. A BOM so that Excel reads it as UTF-8; it opens and saves it.
 */
export function templateCsv(
  rows: readonly { villageId: number; residents: string }[],
  villages: readonly NamedVillage[],
): string {
  const lines = rows.map((r) => {
    const v = villages.find((x) => x.id === r.villageId);
    if (!v) return null;
    const shared = villages.filter((x) => x.name === v.name).length > 1;
    return [shared ? `${v.townshipName}/${v.name}` : v.name, r.residents.trim()].map(csvCell).join(',');
  });
  return `\uFEFF${[TEMPLATE_HEADER.join(','), ...lines.filter((l) => l !== null)].join('\r\n')}\r\n`;
}
