import { describe, expect, it } from 'vitest';
import {
	CLAUSE_CSV_MAX_LENGTH,
	CLAUSE_CSV_MAX_ROWS,
	CLAUSE_TITLE_MAX_LENGTH,
	clauseCsvIsClean,
	clauseDepth,
	clauseNumberProblem,
	clauseSortKey,
	parentClauseNumber,
	parseClauseCsv
} from '../../src/lib/server/domain/clause-csv';
import en from '../../messages/catalogue/en.json';
import zhCN from '../../messages/catalogue/zh-CN.json';

const GOOD = [
	'number,title_zh,title_en',
	'4,售后服务体系,After-sales service system',
	'4.1,服务方针与承诺,Service policy and commitments',
	'4.1.1,服务承诺,Service commitments',
	'4.2,服务管理,Service management',
	'A,附录,Annex',
	'A.1,附录条款,Annex clause'
].join('\n');

/** The errors of each row, by clause number. */
function errorsByNumber(csv: ReturnType<typeof parseClauseCsv>) {
	return Object.fromEntries(csv.rows.map((row) => [row.number, row.errors]));
}

describe('parseClauseCsv: a good file', () => {
	it('reads every row with its line, number and titles, and no problem', () => {
		const csv = parseClauseCsv(GOOD);
		expect(csv.fileErrors).toEqual([]);
		expect(csv.rows).toEqual([
			{
				line: 2,
				number: '4',
				titleZh: '售后服务体系',
				titleEn: 'After-sales service system',
				errors: []
			},
			{
				line: 3,
				number: '4.1',
				titleZh: '服务方针与承诺',
				titleEn: 'Service policy and commitments',
				errors: []
			},
			{ line: 4, number: '4.1.1', titleZh: '服务承诺', titleEn: 'Service commitments', errors: [] },
			{ line: 5, number: '4.2', titleZh: '服务管理', titleEn: 'Service management', errors: [] },
			{ line: 6, number: 'A', titleZh: '附录', titleEn: 'Annex', errors: [] },
			{ line: 7, number: 'A.1', titleZh: '附录条款', titleEn: 'Annex clause', errors: [] }
		]);
		expect(clauseCsvIsClean(csv)).toBe(true);
	});

	it('reads CRLF line ends and a trailing line end the same way', () => {
		const crlf = parseClauseCsv(GOOD.replace(/\n/g, '\r\n') + '\r\n');
		expect(crlf).toEqual(parseClauseCsv(GOOD));
	});

	it('ignores the UTF-8 byte-order mark spreadsheet programs write first', () => {
		const csv = parseClauseCsv(`\uFEFF${GOOD}`);
		expect(csv.fileErrors).toEqual([]);
		expect(csv).toEqual(parseClauseCsv(GOOD));
	});

	it('takes the columns in any order and any case, title_en optional', () => {
		const reordered = parseClauseCsv('Title_ZH,NUMBER\n总则,4\n术语,4.1');
		expect(reordered.fileErrors).toEqual([]);
		expect(reordered.rows.map((row) => [row.number, row.titleZh, row.titleEn])).toEqual([
			['4', '总则', null],
			['4.1', '术语', null]
		]);
	});

	it('trims fields, writes annex letters in capitals and skips blank lines', () => {
		const csv = parseClauseCsv('number,title_zh,title_en\n\n  a.1 , 附录条款 ,  Annex  \n,,\n', [
			'A'
		]);
		expect(csv.rows).toEqual([
			{ line: 3, number: 'A.1', titleZh: '附录条款', titleEn: 'Annex', errors: [] }
		]);
		// A.1's parent A is neither in the file nor the standard here: only existingNumbers helps.
		expect(parseClauseCsv('number,title_zh\na.1,附录', []).rows[0]?.errors).toEqual([
			'catalogue_csv_parent_missing'
		]);
		expect(parseClauseCsv('number,title_zh\na.1,附录', ['A']).rows[0]?.errors).toEqual([]);
	});
});

describe('parseClauseCsv: RFC 4180 quoting', () => {
	it('keeps commas inside quoted fields', () => {
		const csv = parseClauseCsv('number,title_zh,title_en\n4,"服务，承诺","Policy, commitments"');
		expect(csv.rows[0]).toMatchObject({ titleZh: '服务，承诺', titleEn: 'Policy, commitments' });
		expect(csv.rows[0]?.errors).toEqual([]);
	});

	it('reads doubled quotes as one quote', () => {
		const csv = parseClauseCsv('number,title_zh,title_en\n4,"“总则”","The ""general"" part"');
		expect(csv.rows[0]?.titleEn).toBe('The "general" part');
	});

	it('keeps line breaks inside quoted fields, and counts lines from where each row starts', () => {
		const csv = parseClauseCsv(
			'number,title_zh,title_en\r\n4,"第一行\r\n第二行","two\nlines"\r\n4.1,术语,Terms\r\n'
		);
		expect(csv.fileErrors).toEqual([]);
		expect(csv.rows.map((row) => [row.line, row.number])).toEqual([
			[2, '4'],
			[5, '4.1']
		]);
		expect(csv.rows[0]?.titleZh).toBe('第一行\r\n第二行');
		expect(csv.rows[0]?.titleEn).toBe('two\nlines');
	});

	it('refuses a file whose quote is never closed', () => {
		const csv = parseClauseCsv('number,title_zh\n4,"总则\n4.1,术语');
		expect(csv).toEqual({ rows: [], fileErrors: ['catalogue_csv_unclosed_quote'] });
	});

	it('reports a row with more fields than the header (an unquoted comma)', () => {
		const csv = parseClauseCsv('number,title_zh,title_en\n4,总则,General, and more');
		expect(csv.rows[0]?.errors).toEqual(['catalogue_csv_too_many_fields']);
	});
});

describe('parseClauseCsv: problems of the file', () => {
	it.each([
		['', 'catalogue_csv_empty'],
		['  \r\n\n', 'catalogue_csv_empty'],
		['\uFEFF', 'catalogue_csv_empty'],
		['number,title_zh\n', 'catalogue_csv_no_rows'],
		['clause,title\n4,总则', 'catalogue_csv_header_invalid'],
		['number,title_en\n4,General', 'catalogue_csv_header_invalid'],
		['title_zh\n总则', 'catalogue_csv_header_invalid'],
		['number,title_zh,number\n4,总则,4', 'catalogue_csv_header_invalid'],
		['number,title_zh,remark\n4,总则,x', 'catalogue_csv_header_invalid'],
		['4,总则,General\n4.1,术语,Terms', 'catalogue_csv_header_invalid'],
		// PostgreSQL cannot store NUL: the file is refused before any row is read.
		['number,title_zh\n4,总\u0000则', 'catalogue_csv_nul_character']
	])('%j → %s', (text, error) => {
		expect(parseClauseCsv(text)).toEqual({ rows: [], fileErrors: [error] });
	});

	it(`refuses more than ${CLAUSE_CSV_MAX_ROWS} rows, and takes exactly that many`, () => {
		const rows = (count: number) =>
			['number,title_zh', ...Array.from({ length: count }, (_, i) => `${i + 1},条款${i + 1}`)].join(
				'\n'
			);
		const full = parseClauseCsv(rows(CLAUSE_CSV_MAX_ROWS));
		expect(full.fileErrors).toEqual([]);
		expect(full.rows).toHaveLength(CLAUSE_CSV_MAX_ROWS);
		expect(clauseCsvIsClean(full)).toBe(true);
		expect(parseClauseCsv(rows(CLAUSE_CSV_MAX_ROWS + 1))).toEqual({
			rows: [],
			fileErrors: ['catalogue_csv_too_many_rows']
		});
	});

	it('refuses text longer than the limit without reading it', () => {
		const text = `number,title_zh\n4,${'长'.repeat(CLAUSE_CSV_MAX_LENGTH)}`;
		expect(parseClauseCsv(text)).toEqual({ rows: [], fileErrors: ['catalogue_csv_too_large'] });
	});
});

describe('parseClauseCsv: problems of a row', () => {
	it('names a missing number', () => {
		const csv = parseClauseCsv('number,title_zh\n,总则');
		expect(csv.rows[0]?.errors).toEqual(['catalogue_csv_number_required']);
		expect(clauseCsvIsClean(csv)).toBe(false);
	});

	it.each([
		'4.',
		'.4',
		'4..1',
		'04',
		'4.01',
		'12345',
		'4.2a',
		'AB.1',
		'4-1',
		'第4条',
		'4 .1',
		'A.B'
	])('refuses the number %j', (number) => {
		const csv = parseClauseCsv(`number,title_zh\n${number},标题`);
		expect(csv.rows[0]?.errors).toEqual(['catalogue_csv_number_invalid']);
	});

	it('refuses a number deeper than eight levels, and a number too long', () => {
		expect(parseClauseCsv('number,title_zh\n1.1.1.1.1.1.1.1.1,深').rows[0]?.errors).toEqual([
			'catalogue_csv_number_invalid'
		]);
		expect(clauseNumberProblem('1'.repeat(41))).toBe('catalogue_csv_number_too_long');
	});

	it('names a missing Chinese title, and titles that are too long', () => {
		const long = 'x'.repeat(CLAUSE_TITLE_MAX_LENGTH + 1);
		const csv = parseClauseCsv(
			`number,title_zh,title_en\n4,,General\n5,${long},Fine\n6,好,${long}\n7,${'长'.repeat(CLAUSE_TITLE_MAX_LENGTH)},ok`
		);
		expect(errorsByNumber(csv)).toEqual({
			'4': ['catalogue_csv_title_zh_required'],
			'5': ['catalogue_csv_title_zh_too_long'],
			'6': ['catalogue_csv_title_en_too_long'],
			'7': []
		});
	});

	it('names every row of a number that appears twice', () => {
		const csv = parseClauseCsv('number,title_zh\n4,总则\n4.1,术语\n4,又一个总则\n5,其他');
		expect(csv.rows.map((row) => [row.line, row.errors])).toEqual([
			[2, ['catalogue_csv_number_duplicate']],
			[3, []],
			[4, ['catalogue_csv_number_duplicate']],
			[5, []]
		]);
		// `a.1` and `A.1` are the same clause.
		expect(
			parseClauseCsv('number,title_zh\nA,附录\na.1,一\nA.1,二').rows.map((row) => row.errors)
		).toEqual([[], ['catalogue_csv_number_duplicate'], ['catalogue_csv_number_duplicate']]);
	});

	it('needs each parent in the file (anywhere) or already in the standard', () => {
		const csv = parseClauseCsv(
			'number,title_zh\n4.2.1,服务标准化\n4.2,服务管理\n4,体系\n5.1,缺上级\n6.1.1,缺两级',
			['6']
		);
		expect(errorsByNumber(csv)).toEqual({
			'4.2.1': [],
			'4.2': [],
			'4': [],
			'5.1': ['catalogue_csv_parent_missing'],
			'6.1.1': ['catalogue_csv_parent_missing']
		});
		const withParents = parseClauseCsv('number,title_zh\n5.1,有上级\n6.1.1,有上级', ['5', '6.1']);
		expect(clauseCsvIsClean(withParents)).toBe(true);
	});

	it('reports several problems of one row together', () => {
		const csv = parseClauseCsv('number,title_zh,title_en\n9.9,,x,y');
		expect(csv.rows[0]?.errors).toEqual([
			'catalogue_csv_title_zh_required',
			'catalogue_csv_too_many_fields',
			'catalogue_csv_parent_missing'
		]);
	});

	it('has a message in both languages for every problem it can name', () => {
		const keys = [
			'catalogue_csv_empty',
			'catalogue_csv_too_large',
			'catalogue_csv_header_invalid',
			'catalogue_csv_unclosed_quote',
			'catalogue_csv_no_rows',
			'catalogue_csv_too_many_rows',
			'catalogue_csv_number_required',
			'catalogue_csv_number_invalid',
			'catalogue_csv_number_too_long',
			'catalogue_csv_number_duplicate',
			'catalogue_csv_parent_missing',
			'catalogue_csv_title_zh_required',
			'catalogue_csv_title_zh_too_long',
			'catalogue_csv_title_en_too_long',
			'catalogue_csv_too_many_fields'
		];
		for (const key of keys) {
			expect(en).toHaveProperty(key);
			expect(zhCN).toHaveProperty(key);
		}
	});
});

describe('clause numbers', () => {
	it('sort by each part zero-padded to four, as the demo seed writes them; annexes last', () => {
		expect(clauseSortKey('4')).toBe('0004');
		expect(clauseSortKey('4.2.1')).toBe('0004.0002.0001');
		expect(clauseSortKey('A.1')).toBe('A000.0001');
		const numbers = ['A.1', '4.10', '10', '4.2.1', '4', 'A', '4.9', '4.2'];
		const sorted = [...numbers].sort((a, b) =>
			clauseSortKey(a) < clauseSortKey(b) ? -1 : clauseSortKey(a) > clauseSortKey(b) ? 1 : 0
		);
		expect(sorted).toEqual(['4', '4.2', '4.2.1', '4.9', '4.10', '10', 'A', 'A.1']);
	});

	it('hang under the number without their last part', () => {
		expect(parentClauseNumber('4.2.1')).toBe('4.2');
		expect(parentClauseNumber('A.1')).toBe('A');
		expect(parentClauseNumber('4')).toBeNull();
		expect(clauseDepth('4')).toBe(0);
		expect(clauseDepth('4.2.1')).toBe(2);
	});

	it.each(['0', '4', '4.2', '4.2.1', '9999.9999', 'A', 'Z.1.2', '4.0'])('accepts %j', (number) => {
		expect(clauseNumberProblem(number)).toBeNull();
	});
});
