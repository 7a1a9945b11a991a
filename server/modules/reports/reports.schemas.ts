import { Type, type Static } from 'typebox';

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export const SessionsExportQuery = Type.Object(
  {
    campaignId: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 2147483647, description: '只导出该整顿工作下各案件的测评' }),
    ),
    year: Type.Optional(Type.Integer({ minimum: 2000, maximum: 2100, description: '结束时间所在年度（北京时间）' })),
  },
  { additionalProperties: false },
);
export type SessionsExportFilters = Static<typeof SessionsExportQuery>;

/** The reply of an export: the workbook's bytes (documented for OpenAPI as a binary string). */
export const XlsxReply = Type.String({ format: 'binary', description: 'XLSX 工作簿' });
