import { router, service } from '../init';
import * as serviceSystem from '../../services/service-system';
import {
	approveObjectiveInput,
	createCommitmentInput,
	createObjectiveInput,
	createOutletInput,
	recordMeasurementInput,
	serviceSystemInput,
	updateCommitmentInput,
	updateObjectiveInput,
	updateOutletInput
} from '../../services/service-system.schema';

/*
 * The organisation's service system (issue 12 item 5) over tRPC: the same schemas and services
 * as the service-system page's form actions. The services decide the organisation (NOT_FOUND for
 * another organisation's, FORBIDDEN for the body's staff writing the organisation's system).
 */

export const serviceSystemRouter = router({
	get: service('serviceSystem.read', serviceSystemInput).query(serviceSystem.getServiceSystem),
	createCommitment: service('serviceSystem.manage', createCommitmentInput).mutation(
		serviceSystem.createCommitment
	),
	updateCommitment: service('serviceSystem.manage', updateCommitmentInput).mutation(
		serviceSystem.updateCommitment
	),
	createObjective: service('serviceSystem.manage', createObjectiveInput).mutation(
		serviceSystem.createObjective
	),
	updateObjective: service('serviceSystem.manage', updateObjectiveInput).mutation(
		serviceSystem.updateObjective
	),
	approveObjective: service('serviceSystem.approve', approveObjectiveInput).mutation(
		serviceSystem.approveObjective
	),
	recordMeasurement: service('serviceSystem.measure', recordMeasurementInput).mutation(
		serviceSystem.recordMeasurement
	),
	createOutlet: service('serviceSystem.manage', createOutletInput).mutation(
		serviceSystem.createOutlet
	),
	updateOutlet: service('serviceSystem.manage', updateOutletInput).mutation(
		serviceSystem.updateOutlet
	)
});
