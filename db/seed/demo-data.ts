import type { FindingStatus, Locale, NonconformityGrade, Role } from '../schema';

/*
 * The demo's facts, as plain data: the bodies, their people, the standards the seed document
 * names (with clause trees and the star grade scale), the organisations and their contacts, the
 * certificates, and the evaluations with their nonconformities and corrective actions. Dates are
 * offsets in days from the day the demo is loaded (today in the body's time zone), so every
 * deadline is live; due dates and expiries are not here at all: the scheme rules compute them.
 * db/seed/demo.ts loads these through the application's services.
 */

export const DEMO_PASSWORD = 'demo-password-2026';

/** The time zone both demo bodies work in (the tenants' default); "today" is counted in it. */
export const DEMO_TIME_ZONE = 'Asia/Shanghai';
/** Its offset from UTC, all year (no daylight saving): a demo moment is a day and a local time. */
export const DEMO_UTC_OFFSET = '+08:00';

/**
 * When each body was set up (catalogue, organisations, people), in days from the load day:
 * before its first certificate, so every page's history begins at the beginning.
 */
export const DEMO_SET_UP_DAY = -365;
export const OTHER_SET_UP_DAY = -250;

export interface TenantSeed {
	slug: string;
	name: string;
	locale: Locale;
	/** How its grants number certificates (src/lib/server/domain/certificate-number.ts). */
	certificateNumberPattern: string;
}

export interface PersonSeed {
	email: string;
	name: string;
}

export interface MembershipSeed {
	email: string;
	role: Role;
	/** For organisation users: the legal name of their organisation. */
	organisation?: string;
}

export interface GradeScaleSeed {
	nameZh: string;
	nameEn: string;
	/** Best first (rank 1). */
	levels: { code: string; labelZh: string; labelEn: string; minScore: number | null }[];
}

export interface OrganisationSeed {
	legalName: string;
	uscc: string;
	address: string;
	contacts?: { name: string; email: string; phone: string; locale: Locale }[];
}

export interface CertificateSeed {
	number: string;
	organisation: string;
	standard: string;
	scope: string;
	/** A level code of the standard's grade scale; none for an ungraded standard. */
	grade?: string;
	/** Days from today (negative: in the past); decided the same day. */
	issuedDay: number;
}

export interface RecurringObligationSeed {
	titleZh: string;
	titleEn: string;
	cadence: 'monthly' | 'weekly' | 'quarterly';
	dueDay: number;
}

export interface StandardSeed {
	code: string;
	titleZh: string;
	titleEn: string;
	category: string;
	categoryEn: string;
	clauses?: [number: string, titleZh: string, titleEn: string][];
}

export const STANDARDS: StandardSeed[] = [
	{
		code: 'GB/T 27922-2011',
		titleZh: '商品售后服务评价体系',
		titleEn: 'Evaluation system for after-sales service of commodities',
		category: '售后服务',
		categoryEn: 'After-sales service',
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
		category: '能源服务',
		categoryEn: 'Energy services'
	},
	{
		code: 'GB/T 20647-2006',
		titleZh: '物业管理服务认证',
		titleEn: 'Property management service certification',
		category: '物业服务',
		categoryEn: 'Property management',
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
		categoryEn: 'Security services',
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
		category: '餐饮服务',
		categoryEn: 'Catering services'
	},
	{
		code: 'SB/T 11045-2013',
		titleZh: '商务饭店服务认证',
		titleEn: 'Business hotel service certification',
		category: '住宿服务',
		categoryEn: 'Accommodation services'
	},
	{
		code: 'SB/T 11046-2013',
		titleZh: '节约型餐饮服务认证',
		titleEn: 'Resource-saving catering service certification',
		category: '餐饮服务',
		categoryEn: 'Catering services'
	},
	{
		code: 'RB/T 309-2017',
		titleZh: '餐饮服务认证',
		titleEn: 'Catering service certification',
		category: '餐饮服务',
		categoryEn: 'Catering services',
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
		category: '餐饮服务',
		categoryEn: 'Catering services'
	},
	{
		code: 'SB/T 10857-2012',
		titleZh: '餐饮配送服务能力评价',
		titleEn: 'Catering delivery service capability evaluation',
		category: '餐饮服务',
		categoryEn: 'Catering services'
	},
	{
		code: 'GB/T 21084-2017',
		titleZh: '绿色饭店认证',
		titleEn: 'Green hotel certification',
		category: '住宿服务',
		categoryEn: 'Accommodation services'
	},
	{
		code: 'GB/T 26720-2011',
		titleZh: '清洁环卫服务资质',
		titleEn: 'Cleaning and sanitation service qualification',
		category: '环卫服务',
		categoryEn: 'Sanitation services'
	},
	{
		code: 'SB/T 10596-2011',
		titleZh: '清洁环卫服务资质',
		titleEn: 'Cleaning and sanitation service qualification',
		category: '环卫服务',
		categoryEn: 'Sanitation services'
	},
	{
		code: 'GB/T 27925-2011',
		titleZh: '企业评价服务认证',
		titleEn: 'Enterprise evaluation service certification',
		category: '企业评价',
		categoryEn: 'Enterprise evaluation'
	},
	{
		code: 'GB/T 29187-2012',
		titleZh: '企业成熟度评价认证',
		titleEn: 'Enterprise maturity evaluation certification',
		category: '企业评价',
		categoryEn: 'Enterprise evaluation'
	},
	{
		code: 'ISO 10668-2010',
		titleZh: '企业成熟度评价认证',
		titleEn: 'Enterprise maturity evaluation certification',
		category: '企业评价',
		categoryEn: 'Enterprise evaluation'
	}
];

// GB/T 27922 as commonly applied: ≥95 五星, ≥90 四星, ≥80 三星, ≥70 达标.
export const STAR_SCALE: GradeScaleSeed = {
	nameZh: '星级',
	nameEn: 'Star grades',
	levels: [
		{ code: '5-star', labelZh: '五星', labelEn: 'Five stars', minScore: 95 },
		{ code: '4-star', labelZh: '四星', labelEn: 'Four stars', minScore: 90 },
		{ code: '3-star', labelZh: '三星', labelEn: 'Three stars', minScore: 80 },
		{ code: 'pass', labelZh: '达标', labelEn: 'Compliant', minScore: 70 }
	]
};

/**
 * GB/T 27922's scoring sheet in the demo: points (分值) per clause group of the demo's clause
 * tree. The seed document names the standard and its star grades but gives no points, so these
 * are the demo's own, in the standard's spirit: its service management (4.2: standardisation,
 * disclosure of defects) and product services (4.4) weigh most. They add up to 100, though
 * the total is normalised over whatever they add up to (domain/scoring.ts).
 */
export const SCORING_SHEET: { standard: string; points: Record<string, number> } = {
	standard: 'GB/T 27922-2011',
	points: { '4.1': 20, '4.2': 30, '4.3': 20, '4.4': 30 }
};

/** The demo scheme: any major nonconformity of the evaluation caps the grade at four stars. */
export const MAJOR_CAP = { level: '4-star', counts: 'any' as const };

/**
 * The surveillance team's scores (the day the findings were raised): 95 by the points, five
 * stars, but its major nonconformity (4.2.2, no disclosure of service defects) caps the grade at
 * four stars, so the decision page proposes "regrade to 四星".
 */
export const SURVEILLANCE_SCORES: Record<string, number> = {
	'4.1': 19,
	'4.2': 28,
	'4.3': 19,
	'4.4': 29
};

export interface NonconformitySeed {
	clause: string;
	grade: NonconformityGrade;
	statement: string;
	evidence: string;
	correction: string;
	rootCause: string;
	correctiveAction: string;
	owner: string;
	/** Where its story has got to: answered, plan accepted, or evidence awaiting review. */
	status: Extract<
		FindingStatus,
		'response_submitted' | 'action_in_progress' | 'evidence_submitted'
	>;
	/** The planned completion, in days after the finding was raised. */
	targetAfterDays: number;
}

// The seed's last section: four nonconformities and the four corrective actions answering them.
export const SURVEILLANCE_NONCONFORMITIES: NonconformitySeed[] = [
	{
		clause: '4.4.1',
		grade: 'minor',
		statement: '未进行现场服务后培训讲解。',
		evidence: '抽查 3 份维护派工单，均无现场服务后向客户培训讲解的记录。',
		correction: '对抽查涉及的 3 位客户进行回访，补做产品使用与保养讲解。',
		rootCause: '上门服务作业指导书未规定服务后的讲解环节。',
		correctiveAction: '要求服务人员在现场服务后对客户进行产品相关知识的培训讲解。',
		owner: '服务部',
		status: 'action_in_progress',
		targetAfterDays: 60
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
		status: 'response_submitted',
		targetAfterDays: 60
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
		status: 'evidence_submitted',
		targetAfterDays: 60
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
		status: 'response_submitted',
		targetAfterDays: 25
	}
];

export const DEMO_TENANT: TenantSeed = {
	slug: 'demo',
	name: 'Demo Certification Body',
	locale: 'zh-CN',
	certificateNumberPattern: 'DCB-{standard}-{year}-{seq:4}'
};
export const OTHER_TENANT: TenantSeed = {
	slug: 'other',
	name: 'Other Certification Body',
	locale: 'en',
	certificateNumberPattern: 'OCB-PM-{year}-{seq:4}'
};

/** Everyone who signs in (README, "Demo sign-ins"), all with DEMO_PASSWORD. */
export const PEOPLE = {
	admin: { email: 'admin@demo.test', name: '张敏' },
	evaluator: { email: 'evaluator@demo.test', name: '李华' },
	decider: { email: 'decider@demo.test', name: '王强' },
	org: { email: 'org@demo.test', name: '陈静' },
	multi: { email: 'multi@demo.test', name: '刘洋' },
	otherAdmin: { email: 'admin@other.test', name: 'Alex Morgan' }
} satisfies Record<string, PersonSeed>;

export const LISHUNJIE = '厦门立顺捷机电服务有限公司';
export const LUJIANG = '厦门鹭江物业管理有限公司';
export const GANGWAN = '深圳港湾物业管理有限公司';

export const DEMO_ORGANISATIONS: OrganisationSeed[] = [
	{
		legalName: LISHUNJIE,
		uscc: '91350206MA31RQB972',
		address: '福建省厦门市湖里区',
		contacts: [{ name: '陈静', email: 'org@demo.test', phone: '0592-5550100', locale: 'zh-CN' }]
	},
	{ legalName: LUJIANG, uscc: '91350203MA8UKJ2X1X', address: '福建省厦门市思明区' }
];

/**
 * The demo body's members besides its first administrator (who is bootstrapped, having nobody
 * to add them), in the order the administrator adds them.
 */
export const DEMO_MEMBERS: MembershipSeed[] = [
	{ email: PEOPLE.evaluator.email, role: 'evaluator' },
	{ email: PEOPLE.decider.email, role: 'decision_maker' },
	{ email: PEOPLE.org.email, role: 'org_admin', organisation: LISHUNJIE },
	{ email: PEOPLE.multi.email, role: 'evaluator' }
];

/** The standard graded on the star scale. */
export const GRADED_STANDARD = 'GB/T 27922-2011';

export const DEMO_CERTIFICATES: CertificateSeed[] = [
	// Certified about eleven months ago: the first surveillance has just been held.
	{
		number: 'DCB-27922-2025-0001',
		organisation: LISHUNJIE,
		standard: GRADED_STANDARD,
		scope: '家用电器售后服务（安装、维修、保养、备品备件供应）',
		grade: '5-star',
		issuedDay: -335
	},
	// Certified about ten and a half months ago, not yet surveilled: its first surveillance falls
	// due in about six weeks, which the admin's "surveillance coming due" queue shows.
	{
		number: 'DCB-20647-2026-0002',
		organisation: LUJIANG,
		standard: 'GB/T 20647-2006',
		scope: '住宅小区物业管理服务',
		issuedDay: -320
	}
];

/** The surveillance evaluation of DCB-27922-2025-0001 the seed records, led by 李华. */
export const SURVEILLANCE = {
	certificate: 'DCB-27922-2025-0001',
	/** Planned two weeks ahead; started on its window's first day. */
	plannedDay: -30,
	windowStartDay: -16,
	windowEndDay: -15,
	/** The day its nonconformities were raised (…-NC-1 … -NC-4, in the seed's order). */
	raisedDay: -15,
	/** The report the day after the window; the organisation answers, the body reviews, evidence. */
	reportDay: -14,
	respondedDay: -10,
	reviewedDay: -7,
	evidenceDay: -3,
	/** 李华's comment on the plans he accepted, and the organisation's note with its evidence. */
	reviewComment: '纠正措施计划可行，同意实施。',
	evidenceNote: '已报名参加本行业服务标准化技术委员会工作组，附报名回执。'
};

/**
 * An earlier special evaluation of the same certificate, after a customer's complaint about a
 * missed home-visit deadline. Its two nonconformities are still open and waiting for the
 * organisation: the minor one falls due seven days from today, the major one is overdue (both
 * dates from the scheme rules: 90 and 30 days after the day raised), so the reminder jobs have
 * something to remind of the day the demo is loaded.
 */
export const SPECIAL_EVALUATION = {
	certificate: 'DCB-27922-2025-0001',
	plannedDay: -90,
	windowStartDay: -83,
	windowEndDay: -83,
	raisedDay: -83,
	reportDay: -82
};

export interface OpenNonconformitySeed {
	clause: string;
	grade: NonconformityGrade;
	statement: string;
	evidence: string;
	/** The organisation's commitment it is raised against (its Chinese text, in SERVICE_SYSTEM). */
	commitment?: string;
}

export const SPECIAL_NONCONFORMITIES: OpenNonconformitySeed[] = [
	{
		clause: '4.1.1',
		grade: 'major',
		statement: '未兑现"24 小时内上门服务"的服务承诺。',
		commitment: '接到客户报修后 24 小时内上门服务。',
		evidence: '客户投诉的空调维修派工单显示，报修后第 4 天才上门；同月另有 2 份派工单超过承诺时限。'
	},
	{
		clause: '4.1.2',
		grade: 'minor',
		statement: '服务目标未分解到部门，未定期考核。',
		evidence: '年度服务目标仅有公司级指标，服务部无分解目标及考核记录。'
	}
];

/** The seed's records calendar: work orders monthly by the 2nd, statistics weekly by Tuesday,
 * dispatch logs quarterly by the 2nd of the quarter's first month. */
export const RECURRING_OBLIGATIONS: RecurringObligationSeed[] = [
	// The seed's archive deadlines (issue 7 §3): due on the 2nd of the next quarter's first month …
	{ titleZh: '电话派工记录', titleEn: 'Telephone dispatch log', cadence: 'quarterly', dueDay: 2 },
	// … on the 2nd of the next month …
	{ titleZh: '派工单', titleEn: 'Work orders', cadence: 'monthly', dueDay: 2 },
	{ titleZh: '返修收条', titleEn: 'Repair receipts', cadence: 'monthly', dueDay: 2 },
	{ titleZh: '记录', titleEn: 'Records', cadence: 'monthly', dueDay: 2 },
	// … and on Tuesday (ISO weekday 2) of the next week.
	{ titleZh: '记录统计表', titleEn: 'Record statistics', cadence: 'weekly', dueDay: 2 }
];

/** The other body: one standard, one organisation with its certificate, and two members. */
export const OTHER_STANDARD: StandardSeed = {
	code: 'GB/T 20647-2006',
	titleZh: '物业管理服务认证',
	titleEn: 'Property management service certification',
	category: '物业服务',
	categoryEn: 'Property management'
};
export const OTHER_ORGANISATION: OrganisationSeed = {
	legalName: GANGWAN,
	uscc: '91440300MA5HGWY27L',
	address: '广东省深圳市南山区'
};
export const OTHER_CERTIFICATE: CertificateSeed = {
	number: 'OCB-PM-2026-0001',
	organisation: GANGWAN,
	standard: 'GB/T 20647-2006',
	scope: 'Residential property management services',
	issuedDay: -200
};
export const OTHER_MEMBERS: MembershipSeed[] = [{ email: PEOPLE.multi.email, role: 'evaluator' }];

/*
 * The certified organisation's after-sales service system (issue 12 item 5), from the seed's
 * 售后服务承诺和目标控制程序, 网点管理 and 工单 flow: commitments and work-order rules with the
 * limits an evaluator checks (a complaint reported within 4 hours), quantified objectives kept by
 * 服务部 and approved by the organisation's management, and the outlets that do minor repairs,
 * maintenance and spare parts. Its admin (陈静) documents it before the first certification;
 * measurements are recorded in two batches (before the special evaluation, and yesterday).
 */
export interface ServiceObjectiveSeed {
	titleZh: string;
	titleEn: string;
	metricZh: string;
	metricEn: string;
	targetValue: number;
	unit: string;
	direction: 'at_least' | 'at_most';
	owner: string;
	period: 'monthly' | 'quarterly' | 'yearly';
	/** Values of the periods before the load day's, oldest first: [periods back, value]. */
	measurements: [periodsBack: number, value: number][];
}

export const SERVICE_SYSTEM = {
	/** Set up and approved after the members were added, before the first certificate. */
	setUpDay: -360,
	/** The measurements of periods at least this many back are recorded on `firstBatchDay`. */
	firstBatchDay: -95,
	secondBatchDay: -1,
	commitments: [
		{
			kind: 'service_commitment',
			textZh: '持续改进售后服务，使顾客满意。',
			textEn: 'We keep improving our after-sales service until our customers are satisfied.',
			limit: null
		},
		{
			kind: 'service_commitment',
			textZh: '接到客户报修后 24 小时内上门服务。',
			textEn: 'A service visit within 24 hours of a customer’s repair request.',
			limit: [24, 'hours']
		},
		{
			kind: 'work_order_rule',
			textZh: '出现客户投诉问题应在 4 小时内上报分管领导。',
			textEn: 'A customer complaint is reported to the manager in charge within 4 hours.',
			limit: [4, 'hours']
		},
		{
			kind: 'work_order_rule',
			textZh: '每次服务完毕后由顾客填写“维护派工单”的顾客意见栏，作为向公司结算的依据。',
			textEn:
				'After every service the customer fills in the opinion box of the maintenance work order; it is the basis of settlement with the company.',
			limit: null
		},
		{
			kind: 'work_order_rule',
			textZh: '维修人员回司后应向调度员反馈维修情况，调度员据此登记派工记录。',
			textEn:
				'Back at the office, the technician reports the repair to the dispatcher, who records it in the dispatch log.',
			limit: null
		}
	] as const,
	objectives: [
		{
			titleZh: '顾客满意率',
			titleEn: 'Customer satisfaction',
			metricZh: '回访满意户数 ÷ 回访总户数 × 100%',
			metricEn: 'Satisfied customers on follow-up ÷ customers followed up × 100%',
			targetValue: 95,
			unit: '%',
			direction: 'at_least',
			owner: '服务部',
			period: 'monthly',
			measurements: [
				[9, 96.2],
				[8, 95.8],
				[7, 97.1],
				[6, 94.3],
				[5, 96.5],
				[4, 95.4],
				[3, 93.8],
				[2, 96.9],
				[1, 97.3]
			]
		},
		{
			titleZh: '24 小时上门及时率',
			titleEn: 'Visits within 24 hours',
			metricZh: '24 小时内上门的报修单数 ÷ 报修单总数 × 100%',
			metricEn: 'Repair requests visited within 24 hours ÷ all repair requests × 100%',
			targetValue: 98,
			unit: '%',
			direction: 'at_least',
			owner: '服务部',
			period: 'monthly',
			measurements: [
				[9, 99.1],
				[8, 98.4],
				[7, 98.0],
				[6, 97.2],
				[5, 98.6],
				[4, 96.8],
				[3, 98.9],
				[2, 99.3],
				[1, 98.7]
			]
		},
		{
			titleZh: '投诉平均上报时长',
			titleEn: 'Average time to report a complaint',
			metricZh: '各投诉从受理到上报分管领导的小时数之平均',
			metricEn: 'Mean hours from receiving a complaint to reporting it to the manager in charge',
			targetValue: 4,
			unit: '小时',
			direction: 'at_most',
			owner: '调度室',
			period: 'quarterly',
			measurements: [
				[3, 3.5],
				[2, 4.6],
				[1, 2.8]
			]
		},
		{
			titleZh: '售后服务人员培训',
			titleEn: 'Training of after-sales staff',
			metricZh: '每名售后服务人员全年参加服务规范及产品知识培训的学时',
			metricEn: 'Hours of service-conduct and product training per after-sales employee a year',
			targetValue: 24,
			unit: '学时',
			direction: 'at_least',
			owner: '办公室',
			period: 'yearly',
			measurements: []
		}
	] satisfies ServiceObjectiveSeed[],
	outlets: [
		{
			name: '湖里服务网点',
			address: '福建省厦门市湖里区',
			scope: ['minor_repair', 'maintenance', 'spare_parts'],
			publiclyListed: true,
			operator: '维修组 陈师傅',
			contactPhone: '0592-5550101'
		},
		{
			name: '思明服务网点',
			address: '福建省厦门市思明区',
			scope: ['minor_repair', 'maintenance', 'spare_parts', 'home_visit'],
			publiclyListed: true,
			operator: '维修组 林师傅',
			contactPhone: '0592-5550102'
		},
		{
			name: '集美备件供应点',
			address: '福建省厦门市集美区',
			scope: ['spare_parts'],
			publiclyListed: false,
			operator: '仓储部',
			contactPhone: ''
		}
	] as const
};

/**
 * A customer's complaint about the five-star certificate, filed on its public page the day before
 * the demo is loaded and not yet acknowledged: the body's /complaints list shows it with the
 * acknowledgement clock running (issue 13 item 4). A fixed reference: every load tells the same
 * story.
 */
export const DEMO_COMPLAINT = {
	certificate: 'DCB-27922-2025-0001',
	reference: 'C-7QK2M4PA',
	filedDay: -1,
	name: '赵磊',
	email: 'zhao.lei@customer.demo.test',
	phone: '0592-5550123',
	body: '上周报修家中空调，服务热线承诺 24 小时内上门，实际等了 5 天才有人来，期间多次催促无人回复。证书上写着五星服务，与实际不符。'
};
