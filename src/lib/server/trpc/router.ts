import { router } from './init';
import { authRouter } from './routers/auth';
import { organisationsRouter } from './routers/organisations';
import { certificatesRouter } from './routers/certificates';
import { membersRouter } from './routers/members';

export const appRouter = router({
	auth: authRouter,
	organisations: organisationsRouter,
	certificates: certificatesRouter,
	members: membersRouter
});

export type AppRouter = typeof appRouter;
