import { describe, expect, it } from 'vitest';
import {
	previousBodyHistory,
	type PreviousBodyRow
} from '../../src/lib/server/domain/previous-body-history';

/* Issue 12 item 4: the rules a transferred certificate's history at the earlier body must keep. */

const context = { issuedOn: '2026-06-01', today: '2026-06-10' };
const row = (on: string, event: string, note = ''): PreviousBodyRow => ({ on, event, note });

describe('a history at the earlier body', () => {
	it('keeps the rows in order as lines, skipping blank rows, numbering them from 1', () => {
		expect(
			previousBodyHistory(
				[
					row('2023-06-01', 'issued', ' first '),
					row('', '', ''),
					row('2024-05-20', 'suspended'),
					row('2024-05-20', 'restored'),
					row('2026-06-01', 'renewed')
				],
				context
			)
		).toEqual({
			ok: true,
			lines: [
				{ on: '2023-06-01', event: 'issued', note: 'first', position: 1 },
				{ on: '2024-05-20', event: 'suspended', note: '', position: 2 },
				{ on: '2024-05-20', event: 'restored', note: '', position: 3 },
				{ on: '2026-06-01', event: 'renewed', note: '', position: 4 }
			]
		});
		expect(previousBodyHistory([], context)).toEqual({ ok: true, lines: [] });
	});

	it.each([
		[[row('2026-06-02', 'issued')], 0, 'on', 'date_after_issue'],
		[[row('2026-06-11', 'issued')], 0, 'on', 'date_future'],
		[[row('2024-01-01', 'issued'), row('2023-01-01', 'surveillance')], 1, 'on', 'date_order'],
		[[row('', '', ''), row('24-01-01', 'issued')], 1, 'on', 'date_invalid'],
		[[row('1899-12-31', 'issued')], 0, 'on', 'date_invalid'],
		[[row('', 'issued')], 0, 'on', 'date_required'],
		[[row('2024-01-01', '', 'a note')], 0, 'event', 'event_required'],
		[[row('2024-01-01', 'withdrawn')], 0, 'event', 'event_unknown'],
		[[row('2024-01-01', 'issued', 'x'.repeat(1001))], 0, 'note', 'note_too_long'],
		[
			[row('2024-01-01', 'surveillance'), row('2024-02-01', 'issued')],
			1,
			'event',
			'issued_not_first'
		],
		[[row('2024-01-01', 'restored')], 0, 'event', 'restored_not_suspended'],
		[
			[row('2024-01-01', 'suspended'), row('2024-02-01', 'suspended')],
			1,
			'event',
			'suspended_already'
		],
		[[row('2024-01-01', 'suspended'), row('2024-02-01', 'renewed')], 1, 'event', 'while_suspended'],
		[
			[row('2024-01-01', 'suspended'), row('2024-02-01', 'scope_extended')],
			1,
			'event',
			'while_suspended'
		],
		[
			[
				row('2024-01-01', 'issued'),
				row('2024-02-01', 'suspended'),
				row('2024-03-01', 'scope_reduced')
			],
			1,
			'event',
			'ends_suspended'
		]
	] as const)('refuses %j at row %i, field %s: %s', (rows, at, field, reason) => {
		expect(previousBodyHistory(rows, context)).toEqual({ ok: false, row: at, field, reason });
	});

	it('lets a suspended certificate be surveilled or reduced before it is restored', () => {
		const verdict = previousBodyHistory(
			[
				row('2024-01-01', 'suspended'),
				row('2024-02-01', 'surveillance'),
				row('2024-02-01', 'scope_reduced'),
				row('2024-02-02', 'restored')
			],
			context
		);
		expect(verdict.ok).toBe(true);
	});
});
