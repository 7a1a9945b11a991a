import { Type, type Static } from 'typebox';

export const LevelSchema = Type.Union([
  Type.Literal('city'),
  Type.Literal('county'),
  Type.Literal('township'),
  Type.Literal('village'),
]);

export const RegionSummarySchema = Type.Object({
  id: Type.Integer(),
  parentId: Type.Union([Type.Integer(), Type.Null()]),
  name: Type.String(),
  level: LevelSchema,
  code: Type.Union([Type.String(), Type.Null()]),
  childCount: Type.Integer({ description: '直属下级区域数' }),
  villageCount: Type.Integer({ description: '辖区内的村数（村本身为 0）' }),
  officialCount: Type.Integer({ description: '绑定在辖区内（含本级）的账户数' }),
});
export type RegionSummary = Static<typeof RegionSummarySchema>;

export const RegionsReply = Type.Object({
  root: RegionSummarySchema,
  ancestors: Type.Array(Type.Object({ id: Type.Integer(), name: Type.String(), level: LevelSchema })),
});

export const ChildrenReply = Type.Object({ region: RegionSummarySchema, children: Type.Array(RegionSummarySchema) });

export const IdParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2147483647 }) });

export const ImportQuery = Type.Object(
  {
    filename: Type.String({ minLength: 1, maxLength: 255, description: '原文件名，按扩展名 .csv / .xlsx 判断格式' }),
    dryRun: Type.Boolean({ default: false, description: '只检查、不写入' }),
  },
  { additionalProperties: false },
);

export const ImportReply = Type.Object({
  dryRun: Type.Boolean(),
  rows: Type.Integer(),
  created: Type.Object({ counties: Type.Integer(), townships: Type.Integer(), villages: Type.Integer() }),
  unchanged: Type.Integer(),
  codesSet: Type.Integer({ description: '原无代码、本次补上代码的村数' }),
});
export type ImportReplyBody = Static<typeof ImportReply>;

/**
 * The body types the import accepts; which format it is comes from the file name and content.
 * Windows browsers label .csv files application/vnd.ms-excel when Excel is installed.
 */
export const IMPORT_CONTENT_TYPES = [
  'text/csv',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/octet-stream',
  'application/vnd.ms-excel',
];
export const IMPORT_BODY_LIMIT = 10 * 1024 * 1024;
