/**
 * OCPI 2.3.0 EVSE `accepted_service_providers`: "the names of the eMSPs offering contract-based payment
 * options that are accepted at this EVSE", added "to allow European CPOs to comply with a regulatory
 * requirement to provide this data to National Access Points" (mod_locations, EVSE; AFIR Art. 20).
 * Derived from the roaming agreements: an eMSP with an agreement with the CPO has its contracts
 * accepted at every EVSE of that CPO. Pure.
 */

/** String(50) in 2.3.0. */
export const SERVICE_PROVIDER_NAME_MAX = 50;

/** The names as 2.3.0 carries them: trimmed, at most 50 characters, each once, sorted. */
export function acceptedServiceProviders(emspNames: readonly string[]): string[] {
  const names = emspNames.map((n) => n.trim().slice(0, SERVICE_PROVIDER_NAME_MAX).trim()).filter((n) => n.length > 0);
  return [...new Set(names)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
