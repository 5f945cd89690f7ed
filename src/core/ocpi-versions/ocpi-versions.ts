/**
 * The OCPI versions the hub speaks, as data: the one place a version is named. Adding a version means
 * adding it here, its schemas and its translations to and from its neighbour, and its routes.
 *
 * The hub's canonical form is 2.2.1 (the "hub form"): the domain (routing by token, pricing,
 * settlement, the own CPO) is written against it, and it sits between the other two, so every version
 * is one translation away. The sender's original is kept beside it, and a receiver of the sender's
 * own version gets the original unchanged (undocumented fields included); other receivers get the
 * original translated step by step along VERSION_CHAIN (docs/versions.md).
 */
export const OCPI_VERSIONS = ['2.1.1', '2.2.1', '2.3.0'] as const;
export type OcpiVersion = (typeof OCPI_VERSIONS)[number];

/**
 * The versions a hub can offer its partners (OCPI_VERSIONS picks among them): those whose every module
 * the hub routes end to end.
 */
export const OFFERABLE_VERSIONS: readonly OcpiVersion[] = ['2.1.1', '2.2.1', '2.3.0'];

/** The version objects are kept in and the domain reads. */
export const HUB_FORM_VERSION: OcpiVersion = '2.2.1';

export function isOcpiVersion(value: unknown): value is OcpiVersion {
  return typeof value === 'string' && (OCPI_VERSIONS as readonly string[]).includes(value);
}

/** Negative when a is older than b, 0 when equal, positive when newer. */
export function compareVersions(a: OcpiVersion, b: OcpiVersion): number {
  return OCPI_VERSIONS.indexOf(a) - OCPI_VERSIONS.indexOf(b);
}

/** The highest version both sides support (versions the hub does not know are ignored), or null. */
export function highestCommonVersion(ours: readonly OcpiVersion[], theirs: readonly string[]): OcpiVersion | null {
  const known = theirs.filter((v): v is OcpiVersion => isOcpiVersion(v) && ours.includes(v));
  if (known.length === 0) return null;
  return known.reduce((best, v) => (compareVersions(v, best) > 0 ? v : best));
}

/** The versions passed through when translating from one version to another, both ends included. */
export function versionPath(from: OcpiVersion, to: OcpiVersion): OcpiVersion[] {
  const i = OCPI_VERSIONS.indexOf(from);
  const j = OCPI_VERSIONS.indexOf(to);
  const step = i <= j ? 1 : -1;
  const path: OcpiVersion[] = [];
  for (let k = i; k !== j + step; k += step) path.push(OCPI_VERSIONS[k]);
  return path;
}

/** What a version's transport carries besides the objects (transport_and_format of each version). */
export interface VersionTransport {
  /** OCPI-to/from-country-code/party-id headers (2.2 and later). */
  routingHeaders: boolean;
  /** X-Request-ID and X-Correlation-ID (2.2 and later). */
  requestIds: boolean;
}

export const VERSION_TRANSPORT: Record<OcpiVersion, VersionTransport> = {
  '2.1.1': { routingHeaders: false, requestIds: false },
  '2.2.1': { routingHeaders: true, requestIds: true },
  '2.3.0': { routingHeaders: true, requestIds: true },
};

/** What a version's objects and endpoints leave out that the hub form has, so the hub supplies it. */
export interface VersionForm {
  /**
   * Endpoints and credentials carry no role (SENDER/RECEIVER, CPO/EMSP): a partner of this version is one
   * party in one role, and which of the hub's interfaces it sees follows from that role.
   */
  rolelessEndpoints: boolean;
  /**
   * Objects carry no owner, sessions and CDRs name their token by contract id only and carry their whole
   * Location: translations take the sender's address, the token and the Location from what the hub
   * knows (TranslationContext), looked up for every object that goes to or comes from this version.
   */
  contextFromHub: boolean;
  /** The modules the version has (its routes and version details list only these). */
  modules: readonly string[];
  /**
   * A Receiver's token URL may say the token's type (`?type=`, 2.2): 2.1.1 names a token by
   * `/{country_code}/{party_id}/{token_uid}` alone (mod_tokens.md 2.1), so pushes leave it out.
   */
  tokenTypeInUrl: boolean;
}

const MODULES_V211 = ['credentials', 'locations', 'tariffs', 'sessions', 'cdrs', 'tokens', 'commands'] as const;
const MODULES_V22 = [...MODULES_V211, 'chargingprofiles', 'hubclientinfo'] as const;
const MODULES_V230 = [...MODULES_V22, 'payments', 'invoicereconciliation', 'bookings'] as const;

export const VERSION_FORM: Record<OcpiVersion, VersionForm> = {
  '2.1.1': { rolelessEndpoints: true, contextFromHub: true, modules: MODULES_V211, tokenTypeInUrl: false },
  '2.2.1': { rolelessEndpoints: false, contextFromHub: false, modules: MODULES_V22, tokenTypeInUrl: true },
  '2.3.0': { rolelessEndpoints: false, contextFromHub: false, modules: MODULES_V230, tokenTypeInUrl: true },
};
