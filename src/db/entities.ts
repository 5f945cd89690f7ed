import { EntitySchema } from 'typeorm';

/** OCPI roles a party can hold (credentials.asciidoc, Role enum). */
export const ROLES = ['CPO', 'EMSP', 'HUB', 'NAP', 'NSP', 'OTHER', 'SCSP'] as const;
export type Role = (typeof ROLES)[number];

export type InterfaceRole = 'SENDER' | 'RECEIVER';

/** An endpoint of a partner's OCPI version details. */
export interface Endpoint {
  identifier: string;
  role: InterfaceRole;
  url: string;
}

export type TokenEncoding = 'base64' | 'raw';

/** A partner platform connected (or to be connected) to the hub over OCPI. */
export interface Party {
  id: string;
  name: string;
  countryCode: string;
  partyId: string;
  /** SHA-256 of the token A the operator handed out; null once used or revoked. */
  tokenAHash: string | null;
  /** SHA-256 of token C, the token the partner uses to call the hub. */
  tokenCHash: string | null;
  /** Token B, the token the hub uses to call the partner, encrypted (it must be sent, so it cannot be hashed). */
  tokenBEncrypted: string | null;
  /** How the partner writes its Authorization header, so the hub calls it the same way. */
  tokenEncoding: TokenEncoding;
  versionsUrl: string | null;
  version: string | null;
  endpoints: Endpoint[];
  /** The IANA time zone the operator configured: what a 2.1.1 CPO's locations without time_zone are in. */
  timeZone: string | null;
  registeredAt: Date | null;
  suspendedAt: Date | null;
  /** The hub's own CPO (its OCPP charge points): served in-process, never a partner to call. */
  own: boolean;
  offlineSince: Date | null;
  lastSeenAt: Date | null;
  statusChangedAt: Date;
  /** Calls to the partner that failed in a row (0 after any success): its health (hub/parties.ts). */
  callFailures: number;
  failingSince: Date | null;
  /** The last failed call to the partner, kept after it recovers. */
  lastError: string | null;
  lastErrorKind: string | null;
  lastErrorAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  roles?: PartyRole[];
}

/** One role (with its own country code and party id) a party's platform serves. */
export interface PartyRole {
  id: string;
  partyUuid: string;
  role: Role;
  countryCode: string;
  partyId: string;
  businessDetails: Record<string, unknown> | null;
  party?: Party;
}

export type OutboxStatus = 'pending' | 'delivered' | 'failed';

/** A request the hub owes a partner, kept until delivered (or given up after bounded retries). */
export interface OutboxEntry {
  id: string;
  partyUuid: string;
  module: string;
  interfaceRole: InterfaceRole;
  method: 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  body: unknown;
  headers: Record<string, string>;
  objectKey: string;
  objectVersion: string;
  status: OutboxStatus;
  attempts: number;
  nextAttemptAt: Date;
  lockedUntil: Date | null;
  lastError: string | null;
  createdAt: Date;
  deliveredAt: Date | null;
}

const timestamp = (name: string, nullable = true) =>
  ({ type: 'timestamptz', name, nullable }) as const;

export const PartyEntity = new EntitySchema<Party>({
  name: 'Party',
  tableName: 'parties',
  columns: {
    id: { type: 'uuid', primary: true, generated: 'uuid' },
    name: { type: 'text' },
    countryCode: { type: 'varchar', length: 2, name: 'country_code' },
    partyId: { type: 'varchar', length: 3, name: 'party_id' },
    tokenAHash: { type: 'text', name: 'token_a_hash', nullable: true },
    tokenCHash: { type: 'text', name: 'token_c_hash', nullable: true },
    tokenBEncrypted: { type: 'text', name: 'token_b_encrypted', nullable: true },
    tokenEncoding: { type: 'text', name: 'token_encoding', default: 'base64' },
    versionsUrl: { type: 'text', name: 'versions_url', nullable: true },
    version: { type: 'text', nullable: true },
    endpoints: { type: 'jsonb', default: () => "'[]'" },
    timeZone: { type: 'text', name: 'time_zone', nullable: true },
    registeredAt: timestamp('registered_at'),
    suspendedAt: timestamp('suspended_at'),
    own: { type: 'boolean', default: false },
    offlineSince: timestamp('offline_since'),
    lastSeenAt: timestamp('last_seen_at'),
    statusChangedAt: { ...timestamp('status_changed_at', false), default: () => 'now()' },
    callFailures: { type: 'integer', name: 'call_failures', default: 0 },
    failingSince: timestamp('failing_since'),
    lastError: { type: 'text', name: 'last_error', nullable: true },
    lastErrorKind: { type: 'text', name: 'last_error_kind', nullable: true },
    lastErrorAt: timestamp('last_error_at'),
    createdAt: { ...timestamp('created_at', false), createDate: true },
    updatedAt: { ...timestamp('updated_at', false), updateDate: true },
  },
  relations: {
    roles: { type: 'one-to-many', target: 'PartyRole', inverseSide: 'party' },
  },
});

export const PartyRoleEntity = new EntitySchema<PartyRole>({
  name: 'PartyRole',
  tableName: 'party_roles',
  columns: {
    id: { type: 'uuid', primary: true, generated: 'uuid' },
    partyUuid: { type: 'uuid', name: 'party_uuid' },
    role: { type: 'text' },
    countryCode: { type: 'varchar', length: 2, name: 'country_code' },
    partyId: { type: 'varchar', length: 3, name: 'party_id' },
    businessDetails: { type: 'jsonb', name: 'business_details', nullable: true },
  },
  relations: {
    party: { type: 'many-to-one', target: 'Party', joinColumn: { name: 'party_uuid' }, onDelete: 'CASCADE' },
  },
});

export const OutboxEntity = new EntitySchema<OutboxEntry>({
  name: 'OutboxEntry',
  tableName: 'outbox',
  columns: {
    id: { type: 'bigint', primary: true, generated: 'increment' },
    partyUuid: { type: 'uuid', name: 'party_uuid' },
    module: { type: 'text' },
    interfaceRole: { type: 'text', name: 'interface_role' },
    method: { type: 'text' },
    path: { type: 'text' },
    body: { type: 'jsonb', nullable: true },
    headers: { type: 'jsonb', default: () => "'{}'" },
    objectKey: { type: 'text', name: 'object_key' },
    objectVersion: { type: 'text', name: 'object_version' },
    status: { type: 'text', default: 'pending' },
    attempts: { type: 'integer', default: 0 },
    nextAttemptAt: { ...timestamp('next_attempt_at', false), default: () => 'now()' },
    lockedUntil: timestamp('locked_until'),
    lastError: { type: 'text', name: 'last_error', nullable: true },
    createdAt: { ...timestamp('created_at', false), createDate: true },
    deliveredAt: timestamp('delivered_at'),
  },
});

export const entities = [PartyEntity, PartyRoleEntity, OutboxEntity];
