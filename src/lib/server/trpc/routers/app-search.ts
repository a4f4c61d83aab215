import { router, service } from '../init';
import { searchApp } from '../../services/app-search';
import { appSearchSchema } from '../../services/app-search.schema';

/* The header's search (issue 11 §5), as the /search page runs it. */
export const appSearchRouter = router({
	query: service('search.app', appSearchSchema).query(searchApp)
});
