import { describe, expect, it } from 'vitest';
import { parseResidentsCsv } from '../../web/src/console/schedule/csv.ts';

describe('parseResidentsCsv', () => {
  it('reads 村名,在村人数 lines after a header, whatever the separator', () => {
    const text = '\uFEFF村名,在村人数\r\n东山村,120\n"西山村"，80\n南山村\t0\n北山村;100000\n\n';
    expect(parseResidentsCsv(text)).toEqual({
      rows: [
        { line: 2, name: '东山村', residents: 120 },
        { line: 3, name: '西山村', residents: 80 },
        { line: 4, name: '南山村', residents: 0 },
        { line: 5, name: '北山村', residents: 100000 },
      ],
      problems: [],
    });
  });

  it('reads a first line with a number as data, not a header', () => {
    expect(parseResidentsCsv('东山村,12').rows).toEqual([{ line: 1, name: '东山村', residents: 12 }]);
  });

  it('names each line it cannot read: over 100000, not a whole number, no name', () => {
    expect(parseResidentsCsv('村名,在村人数\n东山村,100001\n西山村,1.5\n,3\n南山村,').problems).toEqual([
      '第 2 行：东山村 的在村人数“100001”不是 0 到 100000 的整数',
      '第 3 行：西山村 的在村人数“1.5”不是 0 到 100000 的整数',
      '第 4 行：缺少村名',
      '第 5 行：南山村 的在村人数“”不是 0 到 100000 的整数',
    ]);
  });
});
