/**
 * Translation of an OCPI object from the version it was sent in to the version of its receiver, one
 * version step at a time along OCPI_VERSIONS (2.1.1 ⇄ 2.2.1 ⇄ 2.3.0), each step a pure function per
 * module. The losses of every step are kept; a step that cannot express the object refuses it.
 */
import { type Loss, type Translation, TranslationRefused } from './loss-report';
import { type OcpiVersion, versionPath } from './ocpi-versions';

/** The modules an object can belong to, by their OCPI identifiers. */
export type OcpiModuleId =
  | 'credentials'
  | 'locations'
  | 'tariffs'
  | 'sessions'
  | 'cdrs'
  | 'tokens'
  | 'commands'
  | 'chargingprofiles'
  | 'hubclientinfo'
  | 'payments'
  | 'invoicereconciliation';

/** What a step may need beyond the object (never guessed): each step says when it needs a field. */
export interface TranslationContext {
  /** The party that sent the object: 2.1.1 objects carry no country_code/party_id of their own. */
  sender?: { country_code: string; party_id: string };
  /** A PATCH fragment rather than a whole object: absent fields are not missing. */
  partial?: boolean;
  /** The token the hub knows for a 2.1.1 CDR or session (2.1.1 carries only auth_id), in the hub form. */
  knownToken?: unknown;
  /** The hub's credentials towards 2.3.0: the parties reachable through it (CredentialsRoles), listed in `roles`. */
  reachable?: readonly object[];
  /** The role the hub registered a 2.1.1 party in: its credentials and endpoints carry none. */
  role?: 'CPO' | 'EMSP';
  /** Which of the hub's parties to present in 2.1.1 credentials (one party per object) when it has several. */
  party?: { country_code: string; party_id: string };
  /** The time zone the operator configured for a 2.1.1 CPO, for locations that give none (2.2.1 requires one). */
  timeZone?: string;
  /** When the hub received the object (ISO 8601): the last_updated of a 2.1.1 PATCH that gives none. */
  receivedAt?: string;
  /** The Location (hub form) a session or CDR going to 2.1.1 names: 2.1.1 carries the whole location. */
  location?: object;
  /** How long the hub waits for a command's result (s): the timeout of a 2.1.1 CPO's synchronous CommandResponse. */
  timeoutSeconds?: number;
  /**
   * Towards 2.3.0, for a Location or EVSE of the hub's own CPO: the eMSPs accepted at its EVSEs
   * (EVSE `accepted_service_providers`, derived from the roaming agreements: core/afir). The hub form
   * (2.2.1) has no place for it, so it travels beside the body, and a 2.2.1 receiver never sees it.
   */
  acceptedServiceProviders?: readonly string[];
}

export type TranslationStep = (value: unknown, context: TranslationContext) => Translation<unknown>;

/** The steps between two neighbouring versions, per module, in both directions. */
export interface VersionBridge {
  older: OcpiVersion;
  newer: OcpiVersion;
  up: Partial<Record<OcpiModuleId, TranslationStep>>;
  down: Partial<Record<OcpiModuleId, TranslationStep>>;
}

/**
 * `value` as the receiver's version carries it, with every loss on the way. Same version: the value
 * unchanged (the sender's original, undocumented fields included). A module with no step for a
 * version (e.g. charging profiles into 2.1.1) is refused.
 */
export function translateObject(
  bridges: readonly VersionBridge[],
  module: OcpiModuleId,
  value: unknown,
  from: OcpiVersion,
  to: OcpiVersion,
  context: TranslationContext = {},
): Translation<unknown> {
  const path = versionPath(from, to);
  let current = value;
  const losses: Loss[] = [];
  for (let i = 1; i < path.length; i++) {
    const [a, b] = [path[i - 1], path[i]];
    const bridge = bridges.find((x) => (x.older === a && x.newer === b) || (x.older === b && x.newer === a));
    const step = bridge && (bridge.older === a ? bridge.up[module] : bridge.down[module]);
    if (!step) throw new TranslationRefused(a, b, `OCPI ${b} has no ${module} module the hub can translate to`);
    const result = step(current, context);
    current = result.value;
    losses.push(...result.losses);
  }
  return { value: current, losses };
}

/** A body as its sender wrote it, in its version: kept beside the hub form, passed on to receivers of its version. */
export interface BodyOrigin {
  version: OcpiVersion;
  body: unknown;
  /** What translating `body` needs beyond it (a 2.1.1 sender's address, its token, …), kept with the deliveries. */
  context?: TranslationContext;
}
