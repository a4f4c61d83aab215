import type { Kysely } from 'kysely';
import { runScript } from './script';

/*
 * Issue 10 defect 11: a standard's category was one text, typed in Chinese, so English pages
 * showed 售后服务 beside an English title. It gets an English form beside it, as the title has;
 * pages show the reader's language and fall back to the other. The demo's categories (and any
 * body's that use the same words) are given their English names here.
 */

const ENGLISH: [zh: string, en: string][] = [
	['售后服务', 'After-sales service'],
	['能源服务', 'Energy services'],
	['物业服务', 'Property management'],
	['保安服务', 'Security services'],
	['餐饮服务', 'Catering services'],
	['住宿服务', 'Accommodation services'],
	['环卫服务', 'Sanitation services'],
	['企业评价', 'Enterprise evaluation']
];

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
	await runScript(
		db,
		`
alter table standards add column category_en text not null default '';
${ENGLISH.map(([zh, en]) => `update standards set category_en = '${en}' where category = '${zh}';`).join('\n')}
`
	);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
	await runScript(db, `alter table standards drop column category_en;`);
}
