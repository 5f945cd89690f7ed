/**
 * An OCPI ChargingProfile (mod_charging_profiles.asciidoc) set on a session by an SCSP or eMSP, read
 * as the allocator reads everything: the most current per phase the session may get at an instant.
 * The allocator then honours it as the session's maximum, within the site's limits.
 */
import type { PhaseCount } from './site';

export interface OcpiChargingProfile {
  start_date_time?: string;
  duration?: number;
  charging_rate_unit: 'W' | 'A';
  min_charging_rate?: number;
  charging_profile_period?: { start_period: number; limit: number }[];
}

/**
 * The profile's limit at `now` in amps per phase, or undefined when it sets none then (not started,
 * expired, no period yet). Periods count from `start_date_time`, or from `setAt` (when the profile was
 * accepted) when it has none; a W limit is converted with the session's phases and nominal voltage.
 */
export function profileLimitAmps(profile: OcpiChargingProfile, setAt: Date, now: Date, phases: PhaseCount, nominalVoltage: number): number | undefined {
  const start = profile.start_date_time ? Date.parse(profile.start_date_time) : setAt.getTime();
  if (!Number.isFinite(start)) return undefined;
  const elapsed = (now.getTime() - start) / 1000;
  if (elapsed < 0) return undefined;
  if (profile.duration !== undefined && elapsed >= profile.duration) return undefined;
  const periods = [...(profile.charging_profile_period ?? [])].sort((a, b) => a.start_period - b.start_period);
  let limit: number | undefined;
  for (const period of periods) if (period.start_period <= elapsed) limit = period.limit;
  if (limit === undefined) return undefined;
  return profile.charging_rate_unit === 'A' ? limit : limit / (phases * nominalVoltage);
}

/** When the profile's limit next changes after `now` (a period starts, or it ends), or null. */
export function profileNextChange(profile: OcpiChargingProfile, setAt: Date, now: Date): Date | null {
  const start = profile.start_date_time ? Date.parse(profile.start_date_time) : setAt.getTime();
  if (!Number.isFinite(start)) return null;
  const instants = (profile.charging_profile_period ?? []).map((p) => start + p.start_period * 1000);
  if (profile.duration !== undefined) instants.push(start + profile.duration * 1000);
  const next = instants.filter((t) => t > now.getTime()).sort((a, b) => a - b)[0];
  return next === undefined ? null : new Date(next);
}
