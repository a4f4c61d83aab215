import { router } from '../init';

export const evidenceRouter = router({});
