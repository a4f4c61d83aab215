import type { IsoDate } from '../calendar';
import { onceFrom, type DueStage } from './stages';

/** The follow-up effectiveness check: on its day a verification task reopens on the finding. */
export function followUpStage(checkOn: IsoDate, today: IsoDate): DueStage | null {
	return onceFrom('follow_up_check', checkOn, checkOn, today);
}
