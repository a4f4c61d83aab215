import { router, service } from '../init';
import { removeEvidenceFile, reviewEvidenceFile } from '../../services/evidence-review';
import {
	removeEvidenceFileInput,
	reviewEvidenceFileInput
} from '../../services/evidence-review.schema';

/* One evidence file at a time (issue 10 defect 9); uploads and downloads are the /api/evidence routes. */
export const evidenceRouter = router({
	reviewFile: service('member', reviewEvidenceFileInput).mutation(reviewEvidenceFile),
	removeFile: service('member', removeEvidenceFileInput).mutation(removeEvidenceFile)
});
