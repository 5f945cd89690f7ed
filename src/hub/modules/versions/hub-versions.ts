import type { InterfaceRole } from '../../../db/entities';
import type { OcpiVersion } from '../../../core/ocpi-versions/ocpi-versions';

/** An endpoint the hub offers, relative to the version base (`/ocpi/{version}`). */
export interface HubEndpoint {
  identifier: string;
  role: InterfaceRole;
  path: string;
  /** Listed only in the version details of these versions (a module a version lacks); every offered version when absent. */
  versions?: readonly OcpiVersion[];
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
