import { router } from '../init';

export const evaluationsRouter = router({});
