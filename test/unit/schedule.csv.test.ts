import { describe, expect, it } from 'vitest';
import { readResidents } from '../../server/modules/schedule/residents.rules.ts';
import { parseResidentsText } from '../../web/src/console/schedule/csv.ts';
import { matchTable, templateCsv } from '../../web/src/console/schedule/table.ts';

describe('parseResidentsText (pasted lines)', () => {
  it('reads 村名,人数 lines after a header, whatever the separator', () => {
    const text = '\uFEFF村名,在村人数\r\n东山村,120\n"西山村"，80\n南山村\t0\n北山村;100000\n\n';
    expect(parseResidentsText(text)).toEqual({
      rows: [
        { row: 2, name: '东山村', residents: 120 },
        { row: 3, name: '西山村', residents: 80 },
        { row: 4, name: '南山村', residents: 0 },
        { row: 5, name: '北山村', residents: 100000 },
      ],
      problems: [],
    });
  });

  it('reads a first line with a number as data, not a header', () => {
    expect(parseResidentsText('东山村,12').rows).toEqual([{ row: 1, name: '东山村', residents: 12 }]);
  });

  it('names each line it cannot read: over 100000, not a whole number, no name, no count, twice', () => {
    expect(
      parseResidentsText('村名,到会人数\n东山村,100001\n西山村,1.5\n,3\n南山村,\n北山村,4\n北山村,5').problems,
    ).toEqual([
      { row: 2, message: '东山村的人数“100001”不是 0 到 100000 的整数' },
      { row: 3, message: '西山村的人数“1.5”不是 0 到 100000 的整数' },
      { row: 4, message: '缺少村名' },
      { row: 5, message: '缺少南山村的人数' },
      { row: 7, message: '北山村已在第 6 行出现' },
    ]);
  });
});

describe('readResidents (sheet rows)', () => {
  const sheet = (...rows: string[][]) => rows.map((cells, i) => ({ number: i + 1, cells }));

  it('finds its columns by the header under a title, with the township when there is one', () => {
    expect(
      readResidents(
        sheet(['东风镇到会人数统计'], [], ['序号', '乡镇', '村名', '到会人数'], ['1', '东风镇', '东山村', '１２０ ']),
      ),
    ).toEqual({ rows: [{ row: 4, name: '东风镇/东山村', residents: 120 }], problems: [] });
  });

  it('skips blank rows and keeps spreadsheet row numbers', () => {
    expect(
      readResidents([
        { number: 1, cells: ['村名', '到会人数'] },
        { number: 9, cells: ['东山村', '7'] },
      ]),
    ).toEqual({
      rows: [{ row: 9, name: '东山村', residents: 7 }],
      problems: [],
    });
  });

  it('reads nothing from an empty sheet', () => {
    expect(readResidents([])).toEqual({ rows: [], problems: [] });
  });
});

describe('matchTable and templateCsv (the console)', () => {
  const villages = [
    { id: 1, name: '东山村', townshipName: '东风镇' },
    { id: 2, name: '新村', townshipName: '东风镇' },
    { id: 3, name: '新村', townshipName: '西岭乡' },
  ];

  it('fills the villages it finds and lists the rest with the file’s own problems, by row', () => {
    const table = {
      rows: [
        { row: 2, name: '东山村', residents: 9 },
        { row: 3, name: '新村', residents: 4 },
        { row: 5, name: '西岭乡/新村', residents: 5 },
        { row: 6, name: '北山村', residents: 1 },
      ],
      problems: [{ row: 4, message: '缺少村名' }],
    };
    expect(matchTable(table, villages)).toEqual({
      found: [
        { villageId: 1, residents: 9 },
        { villageId: 3, residents: 5 },
      ],
      problems: [
        '第 3 行：有 2 个村名为“新村”，请写成“乡镇/村名”',
        '第 4 行：缺少村名',
        '第 6 行：您的辖区内没有名为“北山村”的村',
      ],
    });
  });

  it('offers a template of the chosen villages that reads back to them', () => {
    const csv = templateCsv(
      [
        { villageId: 1, residents: '12' },
        { villageId: 3, residents: '' },
      ],
      villages,
    );
    expect(csv).toBe('\uFEFF村名,到会人数\r\n东山村,12\r\n西岭乡/新村,\r\n');
    expect(matchTable(parseResidentsText(csv), villages).problems).toEqual(['第 3 行：缺少西岭乡/新村的人数']);
  });
});
