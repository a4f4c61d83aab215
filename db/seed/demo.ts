import { sql, type Kysely } from 'kysely';
import type { Database, FindingStatus, NonconformityGrade } from '../schema';
import type { AppDatabase, Tx } from '../../src/lib/server/db/tenant-scope';
import { hashPassword } from '../../src/lib/server/auth/password';
import { recordAudit } from '../../src/lib/server/repositories/audit';
import { addDays, addMonths, todayInZone } from '../../src/lib/server/domain/calendar';

/*
 * The demo: the standards the seed document names, one certified after-sales service company
 * with a graded certificate and the surveillance evaluation whose four nonconformities and four
 * corrective actions the seed records, and a second body with its own organisation. Dates are
 * relative to the day the demo is loaded, so its deadlines are always live.
 */

export const DEMO_PASSWORD = 'demo-password-2026';

interface StandardSeed {
	code: string;
	titleZh: string;
	titleEn: string;
	category: string;
	clauses?: [number: string, titleZh: string, titleEn: string][];
}

const STANDARDS: StandardSeed[] = [
	{
		code: 'GB/T 27922-2011',
		titleZh: '商品售后服务评价体系',
		titleEn: 'Evaluation system for after-sales service of commodities',
		category: '售后服务',
		clauses: [
			['4', '售后服务体系', 'After-sales service system'],
			['4.1', '服务方针与承诺', 'Service policy and commitments'],
			['4.1.1', '服务承诺', 'Service commitments'],
			['4.1.2', '服务目标', 'Service objectives'],
			['4.2', '服务管理', 'Service management'],
			['4.2.1', '服务标准化', 'Service standardisation'],
			['4.2.2', '服务缺陷公开', 'Disclosure of service defects'],
			['4.3', '服务人员', 'Service personnel'],
			['4.3.1', '人员培训', 'Staff training'],
			['4.4', '商品服务', 'Product services'],
			['4.4.1', '技术支持与客户培训', 'Technical support and customer training']
		]
	},
	{
		code: 'RB/T 302-2016',
		titleZh: '合同能源管理服务认证',
		titleEn: 'Energy performance contracting service certification',
		category: '能源服务'
	},
	{
		code: 'GB/T 20647-2006',
		titleZh: '物业管理服务认证',
		titleEn: 'Property management service certification',
		category: '物业服务',
		clauses: [
			['4', '基本要求', 'General requirements'],
			['4.1', '服务人员', 'Service personnel'],
			['4.2', '服务制度', 'Service rules'],
			['5', '房屋管理', 'Building management'],
			['6', '共用设施设备管理', 'Shared facilities management']
		]
	},
	{
		code: 'GA/T 594-2006',
		titleZh: '保安服务认证',
		titleEn: 'Security service certification',
		category: '保安服务',
		clauses: [
			['4', '保安服务机构', 'Security service provider'],
			['5', '保安员', 'Security guards'],
			['6', '服务过程', 'Service delivery']
		]
	},
	{
		code: 'SB/T 10654-2012',
		titleZh: '茶馆经营服务认证',
		titleEn: 'Teahouse operation service certification',
		category: '餐饮服务'
	},
	{
		code: 'SB/T 11045-2013',
		titleZh: '商务饭店服务认证',
		titleEn: 'Business hotel service certification',
		category: '住宿服务'
	},
	{
		code: 'SB/T 11046-2013',
		titleZh: '节约型餐饮服务认证',
		titleEn: 'Resource-saving catering service certification',
		category: '餐饮服务'
	},
	{
		code: 'RB/T 309-2017',
		titleZh: '餐饮服务认证',
		titleEn: 'Catering service certification',
		category: '餐饮服务',
		clauses: [
			['5', '服务资源', 'Service resources'],
			['6', '服务过程', 'Service process'],
			['7', '服务评价与改进', 'Evaluation and improvement']
		]
	},
	{
		code: 'RB/T 153-2016',
		titleZh: '餐饮服务认证',
		titleEn: 'Catering service certification',
		category: '餐饮服务'
	},
	{
		code: 'SB/T 10857-2012',
		titleZh: '餐饮配送服务能力评价',
		titleEn: 'Catering delivery service capability evaluation',
		category: '餐饮服务'
	},
	{
		code: 'GB/T 21084-2017',
		titleZh: '绿色饭店认证',
		titleEn: 'Green hotel certification',
		category: '住宿服务'
	},
	{
		code: 'GB/T 26720-2011',
		titleZh: '清洁环卫服务资质',
		titleEn: 'Cleaning and sanitation service qualification',
		category: '环卫服务'
	},
	{
		code: 'SB/T 10596-2011',
		titleZh: '清洁环卫服务资质',
		titleEn: 'Cleaning and sanitation service qualification',
		category: '环卫服务'
	},
	{
		code: 'GB/T 27925-2011',
		titleZh: '企业评价服务认证',
		titleEn: 'Enterprise evaluation service certification',
		category: '企业评价'
	},
	{
		code: 'GB/T 29187-2012',
		titleZh: '企业成熟度评价认证',
		titleEn: 'Enterprise maturity evaluation certification',
		category: '企业评价'
	},
	{
		code: 'ISO 10668-2010',
		titleZh: '企业成熟度评价认证',
		titleEn: 'Enterprise maturity evaluation certification',
		category: '企业评价'
	}
];

// GB/T 27922 as commonly applied: ≥95 五星, ≥90 四星, ≥80 三星, ≥70 达标.
const STAR_GRADES = [
	{ code: '5-star', zh: '五星', en: 'Five stars', minScore: '95' },
	{ code: '4-star', zh: '四星', en: 'Four stars', minScore: '90' },
	{ code: '3-star', zh: '三星', en: 'Three stars', minScore: '80' },
	{ code: 'pass', zh: '达标', en: 'Compliant', minScore: '70' }
];

interface NonconformitySeed {
	clause: string;
	grade: NonconformityGrade;
	statement: string;
	evidence: string;
	correction: string;
	rootCause: string;
	correctiveAction: string;
	owner: string;
	status: FindingStatus;
}

// The seed's last section: four nonconformities and the four corrective actions answering them.
const NONCONFORMITIES: NonconformitySeed[] = [
	{
		clause: '4.4.1',
		grade: 'minor',
		statement: '未进行现场服务后培训讲解。',
		evidence: '抽查 3 份维护派工单，均无现场服务后向客户培训讲解的记录。',
		correction: '对抽查涉及的 3 位客户进行回访，补做产品使用与保养讲解。',
		rootCause: '上门服务作业指导书未规定服务后的讲解环节。',
		correctiveAction: '要求服务人员在现场服务后对客户进行产品相关知识的培训讲解。',
		owner: '服务部',
		status: 'action_in_progress'
	},
	{
		clause: '4.3.1',
		grade: 'minor',
		statement: '在员工培训方面力度还需要进一步提高。',
		evidence: '年度培训计划仅安排 2 次培训，新入职维修人员无岗前培训记录。',
		correction: '为 2 名新入职维修人员补做岗前培训并考核。',
		rootCause: '培训计划未按岗位分解，缺少岗前培训要求。',
		correctiveAction: '加强对员工培训力度。',
		owner: '综合办公室',
		status: 'response_submitted'
	},
	{
		clause: '4.2.1',
		grade: 'minor',
		statement: '没有参加服务标准化工作、国家、行业有关标准的制定工作。',
		evidence: '近三年无参与标准化活动的记录。',
		correction: '指定专人跟踪本行业标准化活动信息。',
		rootCause: '公司未将标准化工作纳入管理职责。',
		correctiveAction: '积极参加服务标准化工作、国家、行业有关标准的制定工作。',
		owner: '管理者代表',
		status: 'evidence_submitted'
	},
	{
		clause: '4.2.2',
		grade: 'major',
		statement: '没有建立服务缺陷公开机制。',
		evidence: '公司未制定服务缺陷公开的制度，官网与服务网点均无公开渠道。',
		correction: '在官网与各服务网点公示服务投诉渠道。',
		rootCause: '管理层未识别服务缺陷公开的要求。',
		correctiveAction: '建立服务缺陷公开机制。',
		owner: '服务部',
		status: 'response_submitted'
	}
];

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function isDatabaseEmpty(owner: Kysely<any>): Promise<boolean> {
	const row = await sql<{ n: string }>`select count(*)::text as n from tenants`.execute(owner);
	return row.rows[0]?.n === '0';
}

async function createTenant(
	owner: Kysely<Database>,
	tenant: { slug: string; name: string; locale: 'zh-CN' | 'en' }
) {
	return owner
		.insertInto('tenants')
		.values({ slug: tenant.slug, name: tenant.name, default_locale: tenant.locale })
		.returning('id')
		.executeTakeFirstOrThrow();
}

/** The vocabulary of src/lib/server/audit-actions.ts for what the demo creates. */
const CREATE_ACTIONS: Record<string, string> = {
	standard: 'standard.create',
	organisation: 'organisation.create',
	membership: 'membership.grant',
	certificate: 'certificate.create',
	evaluation: 'evaluation.plan',
	finding: 'finding.raise'
};

async function audited<T extends { id: string }>(
	tx: Tx,
	tenantId: string,
	actorUserId: string | null,
	entityType: string,
	row: T,
	after: unknown = row
): Promise<T> {
	await recordAudit(tx, {
		tenantId,
		actorUserId,
		action: CREATE_ACTIONS[entityType] ?? `${entityType}.create`,
		entityType,
		entityId: row.id,
		after
	});
	return row;
}

/** A certificate as issued: its row, the 'issued' line of its history and the audit entry. */
async function issueCertificate(
	tx: Tx,
	recordedBy: string,
	values: {
		tenant_id: string;
		number: string;
		organisation_id: string;
		standard_id: string;
		scope: string;
		grade_level_id: string | null;
		issued_on: string;
		expires_on: string;
		decided_on: string;
	}
) {
	const certificate = await audited(
		tx,
		values.tenant_id,
		recordedBy,
		'certificate',
		await tx
			.insertInto('certificates')
			.values(values)
			.returning(['id', 'number', 'status'])
			.executeTakeFirstOrThrow()
	);
	await tx
		.insertInto('certificate_history')
		.values({
			tenant_id: values.tenant_id,
			certificate_id: certificate.id,
			change: 'issued',
			to_status: 'active',
			to_grade_level_id: values.grade_level_id,
			to_scope: values.scope,
			effective_on: values.issued_on,
			recorded_by: recordedBy
		})
		.execute();
	return certificate;
}

export async function loadDemoData(
	owner: Kysely<Database>,
	db: AppDatabase,
	today = new Date()
): Promise<void> {
	const passwordHash = await hashPassword(DEMO_PASSWORD);
	const demo = await createTenant(owner, {
		slug: 'demo',
		name: 'Demo Certification Body',
		locale: 'zh-CN'
	});
	const other = await createTenant(owner, {
		slug: 'other',
		name: 'Other Certification Body',
		locale: 'en'
	});

	const people = await db.asPerson(null, async (tx) => {
		const insert = (email: string, name: string) =>
			tx
				.insertInto('users')
				.values({ email, name, password_hash: passwordHash })
				.returning('id')
				.executeTakeFirstOrThrow()
				.then((row) => row.id);
		return {
			admin: await insert('admin@demo.test', '张敏'),
			evaluator: await insert('evaluator@demo.test', '李华'),
			decider: await insert('decider@demo.test', '王强'),
			org: await insert('org@demo.test', '陈静'),
			multi: await insert('multi@demo.test', '刘洋'),
			otherAdmin: await insert('admin@other.test', 'Alex Morgan')
		};
	});

	const todayIso = todayInZone(today, 'Asia/Shanghai');
	const day = (offset: number) => addDays(todayIso, offset);
	const daysAgo = (days: number) => new Date(today.getTime() - days * 86_400_000);
	const expiry = (issuedOn: string) => addDays(addMonths(issuedOn, 36), -1);

	await db.inTenant({ tenantId: demo.id, userId: people.admin }, async (tx) => {
		const tenantId = demo.id;
		const scale = await tx
			.insertInto('grade_scales')
			.values({ tenant_id: tenantId, name_zh: '星级', name_en: 'Star grades' })
			.returning('id')
			.executeTakeFirstOrThrow();
		const grades = new Map<string, string>();
		for (const [index, grade] of STAR_GRADES.entries()) {
			const row = await tx
				.insertInto('grade_levels')
				.values({
					tenant_id: tenantId,
					grade_scale_id: scale.id,
					rank: index + 1,
					code: grade.code,
					label_zh: grade.zh,
					label_en: grade.en,
					min_score: grade.minScore
				})
				.returning('id')
				.executeTakeFirstOrThrow();
			grades.set(grade.code, row.id);
		}

		const standards = new Map<string, string>();
		const clauses = new Map<string, string>();
		for (const standard of STANDARDS) {
			const row = await audited(
				tx,
				tenantId,
				people.admin,
				'standard',
				await tx
					.insertInto('standards')
					.values({
						tenant_id: tenantId,
						code: standard.code,
						title_zh: standard.titleZh,
						title_en: standard.titleEn,
						category: standard.category,
						grade_scale_id: standard.code === 'GB/T 27922-2011' ? scale.id : null
					})
					.returning(['id', 'code'])
					.executeTakeFirstOrThrow()
			);
			standards.set(standard.code, row.id);
			await tx
				.insertInto('scheme_rules')
				.values({ tenant_id: tenantId, standard_id: row.id })
				.execute();
			for (const [number, titleZh, titleEn] of standard.clauses ?? []) {
				const parentNumber = number.includes('.') ? number.slice(0, number.lastIndexOf('.')) : null;
				const clause = await tx
					.insertInto('clauses')
					.values({
						tenant_id: tenantId,
						standard_id: row.id,
						parent_id: parentNumber
							? (clauses.get(`${standard.code}#${parentNumber}`) ?? null)
							: null,
						number,
						title_zh: titleZh,
						title_en: titleEn,
						sort_key: number
							.split('.')
							.map((part) => part.padStart(4, '0'))
							.join('.')
					})
					.returning('id')
					.executeTakeFirstOrThrow();
				clauses.set(`${standard.code}#${number}`, clause.id);
			}
		}

		const organisation = await audited(
			tx,
			tenantId,
			people.admin,
			'organisation',
			await tx
				.insertInto('organisations')
				.values({
					tenant_id: tenantId,
					legal_name: '厦门立顺捷机电服务有限公司',
					uscc: '91350206MA31RQB972',
					address: '福建省厦门市湖里区'
				})
				.returning(['id', 'legal_name', 'uscc'])
				.executeTakeFirstOrThrow()
		);
		await tx
			.insertInto('contacts')
			.values({
				tenant_id: tenantId,
				organisation_id: organisation.id,
				name: '陈静',
				email: 'org@demo.test',
				phone: '0592-5550100',
				locale: 'zh-CN'
			})
			.execute();
		const neighbour = await audited(
			tx,
			tenantId,
			people.admin,
			'organisation',
			await tx
				.insertInto('organisations')
				.values({
					tenant_id: tenantId,
					legal_name: '厦门鹭江物业管理有限公司',
					uscc: '91350203MA8UKJ2X1X',
					address: '福建省厦门市思明区'
				})
				.returning(['id', 'legal_name', 'uscc'])
				.executeTakeFirstOrThrow()
		);

		for (const [email, role, organisationId] of [
			[people.admin, 'admin', null],
			[people.evaluator, 'evaluator', null],
			[people.decider, 'decision_maker', null],
			[people.org, 'org_admin', organisation.id],
			[people.multi, 'evaluator', null]
		] as const) {
			await audited(
				tx,
				tenantId,
				people.admin,
				'membership',
				await tx
					.insertInto('memberships')
					.values({ tenant_id: tenantId, user_id: email, role, organisation_id: organisationId })
					.returning(['id', 'user_id', 'role'])
					.executeTakeFirstOrThrow()
			);
		}

		// Certified about eleven months ago: the first surveillance has just been held.
		const issuedOn = day(-335);
		const certificate = await issueCertificate(tx, people.decider, {
			tenant_id: tenantId,
			number: 'DCB-27922-2025-0001',
			organisation_id: organisation.id,
			standard_id: standards.get('GB/T 27922-2011')!,
			scope: '家用电器售后服务（安装、维修、保养、备品备件供应）',
			grade_level_id: grades.get('5-star')!,
			issued_on: issuedOn,
			expires_on: expiry(issuedOn),
			decided_on: issuedOn
		});
		const propertyIssued = day(-120);
		await issueCertificate(tx, people.decider, {
			tenant_id: tenantId,
			number: 'DCB-20647-2026-0002',
			organisation_id: neighbour.id,
			standard_id: standards.get('GB/T 20647-2006')!,
			scope: '住宅小区物业管理服务',
			grade_level_id: null,
			issued_on: propertyIssued,
			expires_on: expiry(propertyIssued),
			decided_on: propertyIssued
		});

		const evaluation = await audited(
			tx,
			tenantId,
			people.evaluator,
			'evaluation',
			await tx
				.insertInto('evaluations')
				.values({
					tenant_id: tenantId,
					kind: 'surveillance',
					certificate_id: certificate.id,
					organisation_id: organisation.id,
					standard_id: standards.get('GB/T 27922-2011')!,
					window_start: day(-16),
					window_end: day(-15),
					status: 'report_issued',
					started_at: daysAgo(16),
					report_issued_at: daysAgo(14)
				})
				.returning(['id', 'kind', 'status'])
				.executeTakeFirstOrThrow()
		);
		await tx
			.insertInto('evaluation_team_members')
			.values({
				tenant_id: tenantId,
				evaluation_id: evaluation.id,
				user_id: people.evaluator,
				team_role: 'lead'
			})
			.execute();

		for (const [index, nc] of NONCONFORMITIES.entries()) {
			const raisedOn = day(-15);
			const finding = await audited(
				tx,
				tenantId,
				people.evaluator,
				'finding',
				await tx
					.insertInto('findings')
					.values({
						tenant_id: tenantId,
						evaluation_id: evaluation.id,
						reference: `NC-${index + 1}`,
						kind: 'nonconformity',
						grade: nc.grade,
						clause_id: clauses.get(`GB/T 27922-2011#${nc.clause}`) ?? null,
						statement: nc.statement,
						objective_evidence: nc.evidence,
						raised_by: people.evaluator,
						raised_on: raisedOn,
						// Scheme rule defaults: major 30 days, minor 90 days.
						due_on: day(-15 + (nc.grade === 'major' ? 30 : 90)),
						status: nc.status
					})
					.returning(['id', 'reference', 'status'])
					.executeTakeFirstOrThrow()
			);
			const accepted = nc.status === 'action_in_progress' || nc.status === 'evidence_submitted';
			const response = await tx
				.insertInto('responses')
				.values({
					tenant_id: tenantId,
					finding_id: finding.id,
					correction: nc.correction,
					root_cause: nc.rootCause,
					corrective_action: nc.correctiveAction,
					action_owner: nc.owner,
					target_on: day(-15 + (nc.grade === 'major' ? 25 : 60)),
					submitted_by: people.org,
					review_status: accepted ? 'accepted' : 'pending',
					reviewed_by: accepted ? people.evaluator : null,
					reviewed_at: accepted ? daysAgo(8) : null,
					review_comment: accepted ? '纠正措施计划可行，同意实施。' : null
				})
				.returning(['id', 'finding_id', 'review_status'])
				.executeTakeFirstOrThrow();
			// The finding's timeline tells its story so far.
			const steps: [action: string, actorUserId: string, status: string][] = [
				['finding.submit_response', people.org, 'response_submitted']
			];
			if (accepted) steps.push(['finding.accept_response', people.evaluator, 'action_in_progress']);
			if (nc.status === 'evidence_submitted')
				steps.push(['finding.submit_evidence', people.org, 'evidence_submitted']);
			let previous = 'open';
			for (const [action, actorUserId, status] of steps) {
				await recordAudit(tx, {
					tenantId,
					actorUserId,
					action,
					entityType: 'finding',
					entityId: finding.id,
					before: { status: previous },
					after: { status }
				});
				previous = status;
			}
			if (nc.status === 'evidence_submitted') {
				await tx
					.insertInto('evidence_submissions')
					.values({
						tenant_id: tenantId,
						finding_id: finding.id,
						response_id: response.id,
						note: '已报名参加本行业服务标准化技术委员会工作组，附报名回执。',
						submitted_by: people.org
					})
					.execute();
			}
		}

		// The seed's records calendar: work orders monthly by the 2nd, statistics weekly by Tuesday,
		// dispatch logs quarterly by the 2nd of the quarter's first month.
		for (const [titleZh, titleEn, cadence, dueDay] of [
			['派工单记录', 'Work-order records', 'monthly', 2],
			['记录统计表', 'Record statistics', 'weekly', 2],
			['电话派工记录', 'Telephone dispatch log', 'quarterly', 2]
		] as const) {
			await tx
				.insertInto('recurring_obligations')
				.values({
					tenant_id: tenantId,
					organisation_id: organisation.id,
					certificate_id: certificate.id,
					title_zh: titleZh,
					title_en: titleEn,
					cadence,
					due_day: dueDay,
					starts_on: issuedOn
				})
				.execute();
		}
	});

	await db.inTenant({ tenantId: other.id, userId: people.otherAdmin }, async (tx) => {
		const tenantId = other.id;
		const standard = await audited(
			tx,
			tenantId,
			people.otherAdmin,
			'standard',
			await tx
				.insertInto('standards')
				.values({
					tenant_id: tenantId,
					code: 'GB/T 20647-2006',
					title_zh: '物业管理服务认证',
					title_en: 'Property management service certification',
					category: '物业服务'
				})
				.returning(['id', 'code'])
				.executeTakeFirstOrThrow()
		);
		await tx
			.insertInto('scheme_rules')
			.values({ tenant_id: tenantId, standard_id: standard.id })
			.execute();
		const organisation = await audited(
			tx,
			tenantId,
			people.otherAdmin,
			'organisation',
			await tx
				.insertInto('organisations')
				.values({
					tenant_id: tenantId,
					legal_name: '深圳港湾物业管理有限公司',
					uscc: '91440300MA5HGWY27L',
					address: '广东省深圳市南山区'
				})
				.returning(['id', 'legal_name', 'uscc'])
				.executeTakeFirstOrThrow()
		);
		const issuedOn = day(-200);
		await issueCertificate(tx, people.otherAdmin, {
			tenant_id: tenantId,
			number: 'OCB-PM-2026-0001',
			organisation_id: organisation.id,
			standard_id: standard.id,
			scope: 'Residential property management services',
			grade_level_id: null,
			issued_on: issuedOn,
			expires_on: expiry(issuedOn),
			decided_on: issuedOn
		});
		for (const [userId, role] of [
			[people.otherAdmin, 'admin'],
			[people.multi, 'evaluator']
		] as const) {
			await audited(
				tx,
				tenantId,
				people.otherAdmin,
				'membership',
				await tx
					.insertInto('memberships')
					.values({ tenant_id: tenantId, user_id: userId, role, organisation_id: null })
					.returning(['id', 'user_id', 'role'])
					.executeTakeFirstOrThrow()
			);
		}
	});
}
