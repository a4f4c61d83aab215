import { router } from '../init';

export const workflowRouter = router({});
