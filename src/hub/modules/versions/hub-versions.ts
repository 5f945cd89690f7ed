import type { InterfaceRole, Role } from '../../../db/entities';
import { PARTY_INTERFACES } from '../../../core/ocpi-versions/v2.1.1/credentials.v211-translation';
import type { OcpiVersion } from '../../../core/ocpi-versions/ocpi-versions';

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

/**
 * The hub's interface of `module` a party of `role` talks to: the other side of the one it implements
 * (a CPO is the Sender of locations, so it pushes to the hub's Receiver; it is the Receiver of tokens,
 * so it pulls the hub's Sender). For versions whose endpoints carry no role (2.1.1).
 */
export function hubInterfaceFacing(role: Role, module: string): InterfaceRole | undefined {
  const own = role === 'CPO' || role === 'EMSP' ? PARTY_INTERFACES[role][module] : undefined;
  if (own === undefined) return undefined;
  return own === 'SENDER' ? 'RECEIVER' : 'SENDER';
}
