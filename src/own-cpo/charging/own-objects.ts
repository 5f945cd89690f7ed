import { HubError } from '../../foundation/hub-errors';
import { ocpiErrorOf } from '../../hub/ocpi/ocpi-errors';

/** OCPI CiString(36) as the operator may use it for ids in admin paths: printable ASCII, no spaces. */
export const OWN_OBJECT_ID = /^[\x21-\x7e]{1,36}$/;

/**
 * The last_updated of an own object's next change: now, but always after the previous one, so every
 * change is a new version for receivers (and for the outbox, which delivers a version once) even when
 * two changes fall in one millisecond or the clock stepped back.
 */
export function nextLastUpdated(now: Date, previous: Date | undefined): string {
  const at = previous && previous.getTime() >= now.getTime() ? previous.getTime() + 1 : now.getTime();
  return new Date(at).toISOString();
}

/**
 * The module services answer in OCPI terms (2001 with every problem named, 404 for an unknown part);
 * the operator gets the same message as a HubError, which the admin API answers 400 / 404.
 */
export async function asHubErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    // 2xxx answers come with HTTP 200 (the OCPI status policy), unknown objects with 404.
    const answer = ocpiErrorOf(error);
    if (answer && answer.httpStatus < 500) throw new HubError(answer.httpStatus === 404 ? 'not_found' : 'invalid', answer.message);
    throw error;
  }
}
