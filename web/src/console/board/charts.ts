// The options of the board's charts, built from the rows the table shows (pure: no ECharts import
// here, only its option type). Counts are whole villages; rates are the verdicts' permille shown as
// percent. Every chart states its unit and keeps the colour of a light or verdict beside its name.
import type { EChartsCoreOption } from 'echarts/core';
import type { SessionKind } from '../../lib/api.ts';
import type { LightColor } from '../../lib/casesApi.ts';
import { LIGHT_LABEL, LIGHTS } from '../cases/caseLabels.ts';
import type { BoardVillage, HistoryReply } from './boardApi.ts';
import { mainVerdict, townshipsOf, verdictOf, VERDICTS, type VerdictChoice } from './filters.ts';
import { VERDICT_LABEL } from './labels.ts';

const VERDICT_COLOR: Record<VerdictChoice, string> = {
  pass: '#2e7d32',
  fail: '#c62828',
  undecidable: '#8d6e63',
  none: '#b0bec5',
};
const LIGHT_COLOR: Record<LightColor | 'none', string> = {
  red: '#d32f2f',
  yellow: '#f4b400',
  green: '#2e7d32',
  none: '#b0bec5',
};
/** the latest year in blue, the years before it in greys, older lighter */
const OLDER_COLORS = ['#cfd8dc', '#b0bec5', '#90a4ae', '#607d8b'];
const LATEST_COLOR = '#1565c0';

const base = {
  animation: false,
  textStyle: { fontFamily: 'system-ui, "Noto Sans CJK SC", "Microsoft YaHei", sans-serif' },
  tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
  legend: { top: 0, left: 0, type: 'plain' },
};

/** Rows of a horizontal bar chart need room for their names: the height in px for n categories. */
export const barHeight = (n: number): number => Math.max(200, 64 + 30 * n);

/** Stacked horizontal bars: one bar per category, one stacked series per key. */
function stacked(
  categories: string[],
  series: { name: string; color: string; data: number[] }[],
  unit: string,
): EChartsCoreOption {
  return {
    ...base,
    grid: { left: 8, right: 24, top: 40, bottom: 28, containLabel: true },
    xAxis: { type: 'value', minInterval: 1, name: unit, nameLocation: 'middle', nameGap: 26 },
    yAxis: { type: 'category', data: categories, inverse: true },
    series: series.map((s) => ({
      type: 'bar',
      stack: 'all',
      name: s.name,
      data: s.data,
      itemStyle: { color: s.color },
      label: { show: true, formatter: (p: { value: number }) => (p.value ? String(p.value) : '') },
    })),
  };
}

export function verdictsByTownship(rows: readonly BoardVillage[], kind?: SessionKind): EChartsCoreOption {
  const towns = townshipsOf(rows);
  return stacked(
    towns.map(([, name]) => name),
    VERDICTS.map((v) => ({
      name: VERDICT_LABEL[v],
      color: VERDICT_COLOR[v],
      data: towns.map(([id]) => rows.filter((r) => r.townshipId === id && verdictOf(r, kind) === v).length),
    })),
    '村数',
  );
}

export function lightsByTownship(rows: readonly BoardVillage[]): EChartsCoreOption {
  const towns = townshipsOf(rows);
  const keys: (LightColor | 'none')[] = [...LIGHTS, 'none'];
  return stacked(
    towns.map(([, name]) => name),
    keys.map((k) => ({
      name: k === 'none' ? '未列入' : LIGHT_LABEL[k],
      color: LIGHT_COLOR[k],
      data: towns.map(
        ([id]) => rows.filter((r) => r.townshipId === id && (r.case?.light.color ?? 'none') === k).length,
      ),
    })),
    '村数',
  );
}

/** Villages by satisfaction rate in 10 % bins (100 % falls in the last bin). */
export function rateBins(rows: readonly BoardVillage[], kind?: SessionKind): number[] {
  const bins = Array.from({ length: 10 }, () => 0);
  for (const r of rows) {
    const rate = mainVerdict(r, kind)?.verdict?.ratePermille;
    if (rate !== null && rate !== undefined) {
      const i = Math.min(9, Math.floor(rate / 100));
      bins[i] = (bins[i] ?? 0) + 1;
    }
  }
  return bins;
}

export function rateHistogram(rows: readonly BoardVillage[], kind?: SessionKind): EChartsCoreOption {
  const labels = Array.from({ length: 10 }, (_, i) => `${i * 10}–${i * 10 + 10}%`);
  return {
    ...base,
    legend: undefined,
    grid: { left: 8, right: 16, top: 32, bottom: 30, containLabel: true },
    xAxis: {
      type: 'category',
      data: labels,
      name: '满意率',
      nameLocation: 'middle',
      nameGap: 44,
      axisLabel: { interval: 0, rotate: 30 },
    },
    yAxis: { type: 'value', minInterval: 1, name: '村数' },
    series: [
      {
        type: 'bar',
        name: '村数',
        data: rateBins(rows, kind).map((n, i) => ({ value: n, itemStyle: { color: i >= 5 ? '#2e7d32' : '#c62828' } })),
        label: { show: true, position: 'top', formatter: (p: { value: number }) => (p.value ? String(p.value) : '') },
      },
    ],
  };
}

export type Pick = 'bottom' | 'top';
export const YOY_LIMIT = 15;

/** The villages of the year-on-year chart: all of those shown when few, else the N with the lowest
 * (or highest) rate in the latest year that has one. */
export function yoyVillages(history: HistoryReply, rows: readonly BoardVillage[], pick: Pick) {
  const shown = new Set(rows.map((r) => r.villageId));
  const villages = history.villages.filter((v) => shown.has(v.villageId));
  if (villages.length <= YOY_LIMIT) return villages;
  const latestRate = (v: (typeof villages)[number]) => {
    for (const y of [...history.years].sort((a, b) => b - a)) {
      const r = v.byYear[String(y)]?.ratePermille;
      if (r !== null && r !== undefined) return r;
    }
    return null;
  };
  const rated = villages.filter((v) => latestRate(v) !== null);
  rated.sort((a, b) => (pick === 'bottom' ? 1 : -1) * ((latestRate(a) ?? 0) - (latestRate(b) ?? 0)));
  return rated.slice(0, YOY_LIMIT);
}

export function yearOnYear(history: HistoryReply, villages: HistoryReply['villages']): EChartsCoreOption {
  const years = [...history.years].sort((a, b) => a - b).slice(-(OLDER_COLORS.length + 1));
  const colors = [...OLDER_COLORS.slice(OLDER_COLORS.length - (years.length - 1)), LATEST_COLOR];
  return {
    ...base,
    grid: { left: 8, right: 24, top: 40, bottom: 28, containLabel: true },
    xAxis: { type: 'value', min: 0, max: 100, name: '满意率（%）', nameLocation: 'middle', nameGap: 26 },
    yAxis: { type: 'category', data: villages.map((v) => v.villageName), inverse: true },
    series: years.map((y, i) => ({
      type: 'bar',
      name: `${y}年`,
      itemStyle: { color: colors[i] },
      data: villages.map((v) => {
        const r = v.byYear[String(y)]?.ratePermille;
        return r === null || r === undefined ? null : r / 10;
      }),
    })),
  };
}
