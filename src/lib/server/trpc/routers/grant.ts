import { router, service } from '../init';
import { getGrantOptions, grantCertificate } from '../../services/grant';
import { grantCertificateSchema, grantOptionsSchema } from '../../services/grant.schema';

/* The initial certification's grant (issue 12 item 1): decision makers only; the service applies the rules. */

export const grantRouter = router({
	options: service('certificate.decide', grantOptionsSchema).query((db, actor, input) =>
		getGrantOptions(db, actor, input.evaluationId)
	),
	take: service('certificate.decide', grantCertificateSchema).mutation((db, actor, input) =>
		grantCertificate(db, actor, input)
	)
});
