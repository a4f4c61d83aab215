import { router, service } from '../init';
import * as scoring from '../../services/scoring';
import {
	gradeProposalSchema,
	previewScoresSchema,
	recordScoresSchema,
	updateScoringSheetSchema
} from '../../services/scoring.schema';
import { standardIdInput } from '../../services/standards.schema';

/* Scoring and grades (issue 12 item 2): the role gate here, the team and status rules in the service. */

export const scoringRouter = router({
	sheet: service('catalogue.read', standardIdInput).query((db, actor, { id }) =>
		scoring.getScoringSheet(db, actor, id)
	),
	updateSheet: service('catalogue.manage', updateScoringSheetSchema).mutation(
		scoring.updateScoringSheet
	),
	evaluation: service('evaluation.read', gradeProposalSchema).query((db, actor, input) =>
		scoring.getEvaluationScoring(db, actor, input.evaluationId)
	),
	record: service('evaluation.score', recordScoresSchema).mutation(scoring.recordScores),
	preview: service('evaluation.read', previewScoresSchema).query(scoring.previewScores),
	proposal: service('evaluation.read', gradeProposalSchema).query((db, actor, input) =>
		scoring.gradeProposal(db, actor, input.evaluationId)
	)
});
