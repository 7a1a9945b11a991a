// The console's typed client of the 堡垒指数 routes (issue 10 item 2); types from the server's schemas.
import type {
  PutSheetInput,
  ScoringInput,
  SheetReply,
  SheetView,
  VillageGradeView,
  VillagesReply,
} from '../../../../server/modules/grading/grading.schemas.ts';
import { request } from '../../lib/api.ts';

export type { PutSheetInput, ScoringInput, SheetReply, SheetView, VillageGradeView, VillagesReply };
export type SheetItem = SheetView['items'][number];
export type GradeSummary = NonNullable<VillagesReply['villages'][number]['grade']>;

export {
  describeGrading,
  grade,
  GRADE_LABEL,
  SECTIONS,
  SECTION_LABEL,
  type FortressGrade,
  type Section,
} from '../../../../server/modules/grading/grading.rules.ts';

const q = (regionId: number | null, year: number) => `year=${year}${regionId ? `&regionId=${regionId}` : ''}`;

export const gradingApi = {
  sheet: (regionId: number | null, year: number) =>
    request<SheetReply>('GET', `/api/grading/sheet?${q(regionId, year)}`),
  createSheet: (regionId: number, year: number, from: 'defaults' | 'previous') =>
    request<SheetView>('POST', '/api/grading/sheets', { regionId, year, from }),
  putSheet: (id: number, body: PutSheetInput) => request<SheetView>('PUT', `/api/grading/sheets/${id}`, body),
  villages: (regionId: number | null, year: number) =>
    request<VillagesReply>('GET', `/api/grading/villages?${q(regionId, year)}`),
  village: (villageId: number, year: number) =>
    request<VillageGradeView>('GET', `/api/grading/villages/${villageId}?year=${year}`),
  score: (villageId: number, body: ScoringInput) =>
    request<VillageGradeView>('POST', `/api/grading/villages/${villageId}/scorings`, body),
};

/** This year in China time. */
export function chinaYear(now = new Date()): number {
  return new Date(now.getTime() + 8 * 3600_000).getUTCFullYear();
}

/** The years offered: next year, this year and the five before. */
export function yearChoices(now = new Date()): number[] {
  const y = chinaYear(now);
  return [y + 1, y, y - 1, y - 2, y - 3, y - 4, y - 5];
}

export const DEFAULTS_NOTE =
  '来源材料只规定了“三个有”和强村、中等村、弱村三个等次，没有给出评分项、分值和分数线。本系统提供的默认评分表（10 项共 100 分，85 分及以上为强村、60 分及以上为中等村）只是示例，县委组织部可以修改。';
