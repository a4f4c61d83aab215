import { router } from '../init';

export const auditRouter = router({});
