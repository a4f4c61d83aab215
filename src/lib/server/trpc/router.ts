import { router } from './init';
import { authRouter } from './routers/auth';
import { organisationsRouter } from './routers/organisations';
import { certificatesRouter } from './routers/certificates';
import { membersRouter } from './routers/members';
import { catalogueRouter } from './routers/catalogue';
import { evaluationsRouter } from './routers/evaluations';
import { findingsRouter } from './routers/findings';
import { decisionsRouter } from './routers/decisions';
import { evidenceRouter } from './routers/evidence';
import { auditRouter } from './routers/audit';
import { workflowRouter } from './routers/workflow';
import { obligationsRouter } from './routers/obligations';
import { workQueuesRouter } from './routers/work-queues';
import { appSearchRouter } from './routers/app-search';
import { calendarRouter } from './routers/calendar';
import { grantRouter } from './routers/grant';
import { serviceSystemRouter } from './routers/service-system';
import { complaintsRouter } from './routers/complaints';
import { scoringRouter } from './routers/scoring';
import { settingsRouter } from './routers/settings';

export const appRouter = router({
	auth: authRouter,
	organisations: organisationsRouter,
	certificates: certificatesRouter,
	members: membersRouter,
	catalogue: catalogueRouter,
	evaluations: evaluationsRouter,
	findings: findingsRouter,
	decisions: decisionsRouter,
	evidence: evidenceRouter,
	audit: auditRouter,
	workflow: workflowRouter,
	obligations: obligationsRouter,
	workQueues: workQueuesRouter,
	search: appSearchRouter,
	calendar: calendarRouter,
	grant: grantRouter,
	serviceSystem: serviceSystemRouter,
	complaints: complaintsRouter,
	scoring: scoringRouter,
	settings: settingsRouter
});

export type AppRouter = typeof appRouter;
