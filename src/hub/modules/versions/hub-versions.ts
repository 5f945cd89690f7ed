import type { InterfaceRole } from '../../../db/entities';
import type { OcpiVersion } from '../../../core/ocpi-versions/ocpi-versions';

/**
 * The versions the hub offers its partners (in its versions list and in the handshake), newest last.
 * A version is offered once every module of it works end to end through the hub; the versions the
 * hub can translate between are listed in core/ocpi-versions (docs/versions.md).
 */
export const OFFERED_VERSIONS: readonly OcpiVersion[] = ['2.2.1'];

/** An endpoint the hub offers, relative to the version base (`/ocpi/{version}`). */
export interface HubEndpoint {
  identifier: string;
  role: InterfaceRole;
  path: string;
}

/** The path every route of a version lives under. */
export function versionPrefix(version: OcpiVersion): string {
  return `/ocpi/${version}`;
}

export function versionBaseUrl(publicUrl: string, version: OcpiVersion): string {
  return `${publicUrl}${versionPrefix(version)}`;
}

export function versionsUrl(publicUrl: string): string {
  return `${publicUrl}/ocpi/versions`;
}
