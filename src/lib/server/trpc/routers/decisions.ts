import { router } from '../init';

export const decisionsRouter = router({});
