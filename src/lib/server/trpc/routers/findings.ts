import { router } from '../init';

export const findingsRouter = router({});
