import type { DataSource } from 'typeorm';
import { QueryBatches } from '../../db/query-batches';
import { updatedRows } from '../../db/updated-rows';
import { HubError } from '../../foundation/hub-errors';
import { ChargerPasswordChecks } from './charger-password-checks';
import {
  generateChargerPassword,
  hashChargerPassword,
  hashGeneratedChargerPassword,
  UNMATCHABLE_PASSWORD_HASH,
} from './charger-passwords';

/** The OCPP-J subprotocols the hub speaks, in order of preference (a station offering 2.1 and 2.0.1 speaks 2.1). */
export const OCPP_PROTOCOLS = ['ocpp2.1', 'ocpp2.0.1', 'ocpp1.6'] as const;
export type OcppProtocol = (typeof OCPP_PROTOCOLS)[number];

export const REGISTRATION_STATUSES = ['PENDING', 'ACCEPTED', 'REJECTED'] as const;
export type RegistrationStatus = (typeof REGISTRATION_STATUSES)[number];

/**
 * A charge point identity: OCPP 2.0.1 identifierString (48 characters) without ':', which would end
 * the Basic auth username, and starting with a letter or digit so that it is never `.` or `..` in a URL.
 */
export const CHARGER_ID = /^[A-Za-z0-9][A-Za-z0-9*_=+|@.-]{0,47}$/;

/** OCPP 2.0.1 BasicAuthPassword: 16 to 40 characters; printable ASCII so that any charger can be given it. */
export const CHARGER_PASSWORD = /^[\x21-\x7e]{16,40}$/;

/**
 * A connector as the charger numbers it: `"2"` (1.6 connectorId) or `"1/2"` (2.0.1 evseId/connectorId),
 * counting from 1. Connector statuses are stored under the same key, so a mapping entry finds its status.
 */
export const OCPP_CONNECTOR = /^[1-9][0-9]{0,3}(\/[1-9][0-9]{0,3})?$/;

/** Where one OCPP connector appears in the hub's own OCPI location. */
export interface EvseMapping {
  ocppConnector: string;
  evseUid: string;
  connectorId: string;
}

/** What the charger said about itself in its last BootNotification. */
export interface BootInfo {
  vendor: string;
  model: string;
  serialNumber?: string;
  firmwareVersion?: string;
}

export interface ConnectorState {
  connector: string;
  status: string;
  errorCode: string | null;
  updatedAt: Date;
}

export interface Charger {
  id: string;
  status: RegistrationStatus;
  /** The subprotocol of its last connection. */
  protocol: OcppProtocol | null;
  locationId: string | null;
  evses: EvseMapping[];
  boot: BootInfo | null;
  lastHeartbeatAt: Date | null;
  lastConnectedAt: Date | null;
  /** The hub instance holding its connection, as last recorded (null when it is not connected). */
  connectedInstance: string | null;
  connectors: ConnectorState[];
  createdAt: Date;
  updatedAt: Date;
}

/** A connector status as a charger reported it, with the OCPI EVSE and connector it maps to (if any). */
export interface ConnectorStatusChange {
  chargerId: string;
  connector: string;
  status: string;
  errorCode: string | null;
  updatedAt: Date;
  evse: { locationId: string; evseUid: string; connectorId: string } | null;
  /** The statuses of every connector of the charger mapped to the same EVSE, this one included. */
  evseConnectorStatuses: string[];
}

export type ConnectorStatusListener = (change: ConnectorStatusChange) => void | Promise<void>;

export interface NewCharger {
  id: string;
  /** Generated (and answered once) when absent. */
  password?: string;
  locationId?: string | null;
  evses?: EvseMapping[];
}

export interface ChargerChanges {
  locationId?: string | null;
  evses?: EvseMapping[];
  status?: RegistrationStatus;
  password?: string;
  generatePassword?: boolean;
}

/** The charger, and its password when the hub generated it (shown this once, stored only hashed). */
export interface ChargerWithSecret {
  charger: Charger;
  password?: string;
}

interface ChargerRow {
  id: string;
  status: RegistrationStatus;
  protocol: OcppProtocol | null;
  location_id: string | null;
  evses: { ocpp_connector: string; evse_uid: string; connector_id: string }[];
  boot_info: { vendor: string; model: string; serial_number?: string; firmware_version?: string } | null;
  last_heartbeat_at: Date | null;
  last_connected_at: Date | null;
  connected_instance: string | null;
  created_at: Date;
  updated_at: Date;
}

interface ConnectorRow {
  charger_id: string;
  connector_id: string;
  status: string;
  error_code: string | null;
  updated_at: Date;
}

const CHARGER_COLUMNS = `id, status, protocol, location_id, evses, boot_info, last_heartbeat_at, last_connected_at,
  connected_instance, created_at, updated_at`;

const evsesToJson = (evses: EvseMapping[]) =>
  JSON.stringify(evses.map((e) => ({ ocpp_connector: e.ocppConnector, evse_uid: e.evseUid, connector_id: e.connectorId })));

function toCharger(row: ChargerRow, connectors: ConnectorRow[]): Charger {
  const boot = row.boot_info;
  return {
    id: row.id,
    status: row.status,
    protocol: row.protocol,
    locationId: row.location_id,
    evses: row.evses.map((e) => ({ ocppConnector: e.ocpp_connector, evseUid: e.evse_uid, connectorId: e.connector_id })),
    boot: boot && { vendor: boot.vendor, model: boot.model, serialNumber: boot.serial_number, firmwareVersion: boot.firmware_version },
    lastHeartbeatAt: row.last_heartbeat_at,
    lastConnectedAt: row.last_connected_at,
    connectedInstance: row.connected_instance,
    connectors: connectors.map((c) => ({ connector: c.connector_id, status: c.status, errorCode: c.error_code, updatedAt: c.updated_at })),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** The mapping rules the schema cannot see: one entry per OCPP connector and per OCPI connector, and a location to map into. */
function checkEvseMapping(locationId: string | null, evses: EvseMapping[]): void {
  if (evses.length && !locationId) throw new HubError('invalid', 'An EVSE mapping needs a location_id (the OCPI location the EVSEs belong to)');
  const ocppConnectors = new Set<string>();
  const ocpiConnectors = new Set<string>();
  for (const e of evses) {
    const ocpi = JSON.stringify([e.evseUid, e.connectorId]);
    if (ocppConnectors.has(e.ocppConnector)) throw new HubError('invalid', `OCPP connector ${e.ocppConnector} is mapped twice`);
    if (ocpiConnectors.has(ocpi)) throw new HubError('invalid', `EVSE ${e.evseUid} connector ${e.connectorId} is mapped twice`);
    ocppConnectors.add(e.ocppConnector);
    ocpiConnectors.add(ocpi);
  }
}

function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; driverError?: { code?: string } };
  return (e?.code ?? e?.driverError?.code) === '23505';
}

/** Batches of chargers' calls: up to 1,000 per statement, gathered within one turn of the event loop, two in flight. */
export const CHARGER_BATCHES = { maxItems: 1000, maxWaitMs: 0, concurrency: 2 };

/**
 * The hub's own charge points: the registry the operator manages (admin API) and what the chargers
 * report over OCPP (boot information, heartbeats, connector statuses, notifications). OCPP handlers
 * call it; it never sees a socket.
 */
export class ChargersService {
  private readonly connectorListeners: ConnectorStatusListener[] = [];
  private readonly bootListeners: ((chargerId: string) => void | Promise<void>)[] = [];
  private readonly bootReceivedListeners: ((chargerId: string) => void)[] = [];
  /** scrypt verifications remembered and throttled (see the class for the security trade-off). */
  private readonly passwordChecks = new ChargerPasswordChecks();
  /**
   * Every call a charger makes first checks its registration status; thousands of chargers calling at
   * once are checked in one query (fresh each time: nothing is cached).
   */
  private readonly statusReads = this.columnReads<RegistrationStatus>('status');
  /** Boot information of many chargers in one UPDATE (a fleet reconnecting at once); each gets its status. */
  private readonly boots = new QueryBatches<{ id: string; bootInfo: string }, RegistrationStatus | undefined>(
    async (items) => {
      const latest = new Map(items.map((b) => [b.id, b.bootInfo]));
      const rows = await updatedRows<{ id: string; status: RegistrationStatus }>(
        this.db,
        `UPDATE chargers c SET boot_info = v.info::jsonb, updated_at = now() FROM unnest($1::text[], $2::text[]) AS v(id, info)
          WHERE c.id = v.id RETURNING c.id, c.status`,
        [[...latest.keys()], [...latest.values()]],
      );
      const byId = new Map(rows.map((r) => [r.id, r.status]));
      return items.map((b) => byId.get(b.id));
    },
    CHARGER_BATCHES,
  );
  /** The location of many chargers in one query (Authorize sends it to the eMSP). */
  private readonly locationReads = this.columnReads<string>('location_id');
  /**
   * Connector statuses of many chargers: one upsert (the last report per connector in a batch wins,
   * as it would one at a time), then one read of the chargers' mappings and all their connectors'
   * statuses, which the EVSE status publisher needs.
   */
  private readonly statusWrites = new QueryBatches<
    { id: string; connector: string; status: string; errorCode: string | null },
    { updated_at: Date; location_id: string | null; evses: ChargerRow['evses']; statuses: Record<string, string> }
  >(
    async (reports) => {
      const latest = new Map(reports.map((r) => [`${r.id}\u0000${r.connector}`, r]));
      const rows = [...latest.values()];
      const stored: { charger_id: string; updated_at: Date }[] = await this.db.query(
        `INSERT INTO charger_connector_status (charger_id, connector_id, status, error_code, updated_at)
         SELECT v.id, v.connector, v.status, v.error_code, now() FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS v(id, connector, status, error_code)
         ON CONFLICT (charger_id, connector_id)
         DO UPDATE SET status = EXCLUDED.status, error_code = EXCLUDED.error_code, updated_at = EXCLUDED.updated_at
         RETURNING charger_id, updated_at`,
        [rows.map((r) => r.id), rows.map((r) => r.connector), rows.map((r) => r.status), rows.map((r) => r.errorCode)],
      );
      const chargers: { id: string; location_id: string | null; evses: ChargerRow['evses']; statuses: Record<string, string> }[] = await this.db.query(
        `SELECT c.id, c.location_id, c.evses,
                (SELECT coalesce(jsonb_object_agg(s.connector_id, s.status), '{}') FROM charger_connector_status s WHERE s.charger_id = c.id) AS statuses
           FROM chargers c WHERE c.id = ANY($1)`,
        [[...new Set(rows.map((r) => r.id))]],
      );
      const updatedAt = new Map(stored.map((r) => [r.charger_id, r.updated_at]));
      const byId = new Map(chargers.map((c) => [c.id, c]));
      return reports.map((r) => {
        const charger = byId.get(r.id);
        if (!charger) throw new HubError('not_found', `No charger with id ${r.id}`);
        return { updated_at: updatedAt.get(r.id)!, location_id: charger.location_id, evses: charger.evses, statuses: charger.statuses };
      });
    },
    { maxItems: 500, maxWaitMs: 0, concurrency: 2 },
  );
  /** The stored password hashes of many connecting chargers in one query (the hash is read at every connection). */
  private readonly passwordReads = this.columnReads<string>('password_hash');
  /** Connection marks of many chargers in one UPDATE, each guarded by its connection time as before. */
  private readonly connections = new QueryBatches<{ id: string; protocol: OcppProtocol; instance: string; at: Date }, string | undefined>(
    async (marks) => {
      const latest = new Map<string, (typeof marks)[number]>();
      for (const mark of marks) if (!latest.has(mark.id) || latest.get(mark.id)!.at <= mark.at) latest.set(mark.id, mark);
      const rows = [...latest.values()];
      // `before` is the row as it was (a second reference to the table sees it before this update).
      const updated = await updatedRows<{ id: string; previous: string | null }>(
        this.db,
        `UPDATE chargers c SET protocol = v.protocol, connected_instance = v.instance, last_connected_at = v.at
           FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[]) AS v(id, protocol, instance, at), chargers before
          WHERE c.id = v.id AND before.id = v.id AND (c.last_connected_at IS NULL OR c.last_connected_at <= v.at)
          RETURNING c.id, before.connected_instance AS previous`,
        [rows.map((r) => r.id), rows.map((r) => r.protocol), rows.map((r) => r.instance), rows.map((r) => r.at)],
      );
      const previous = new Map(updated.map((r) => [r.id, r.previous]));
      return marks.map((m) => {
        const held = previous.get(m.id);
        return held && held !== m.instance ? held : undefined;
      });
    },
    CHARGER_BATCHES,
  );
  /** Heartbeats of many chargers in one UPDATE; a charger's answer waits for its row. */
  private readonly heartbeats = new QueryBatches<{ id: string; at: Date }, void>(
    async (beats) => {
      const latest = new Map(beats.map((b) => [b.id, b.at]));
      await this.db.query(`UPDATE chargers c SET last_heartbeat_at = v.at FROM unnest($1::text[], $2::timestamptz[]) AS v(id, at) WHERE c.id = v.id`, [
        [...latest.keys()],
        [...latest.values()],
      ]);
      return beats.map(() => undefined);
    },
    CHARGER_BATCHES,
  );

  /**
   * The reliability facts a connection, a boot and an Authorize leave (docs/reliability.md), written
   * for many chargers in one INSERT per batch like the marks above: a fleet reconnecting at once writes
   * three statements per batch, not three per charger.
   */
  private readonly connectionLogWrites = this.factWrites<{ id: string; at: Date; instance: string }>(
    `INSERT INTO charger_connection_log (charger_id, connected_at, instance)
     SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::text[]) ON CONFLICT DO NOTHING`,
    (rows) => [rows.map((r) => r.id), rows.map((r) => r.at), rows.map((r) => r.instance)],
  );
  private readonly bootWrites = this.factWrites<{ id: string; at: Date }>(
    `INSERT INTO charger_boots (charger_id, booted_at) SELECT * FROM unnest($1::text[], $2::timestamptz[])`,
    (rows) => [rows.map((r) => r.id), rows.map((r) => r.at)],
  );
  private readonly authorizationWrites = this.factWrites<{ id: string; idToken: string; status: string; at: Date }>(
    `INSERT INTO charger_authorizations (charger_id, id_token, status, at) SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[])`,
    (rows) => [rows.map((r) => r.id), rows.map((r) => r.idToken), rows.map((r) => r.status), rows.map((r) => r.at)],
  );

  /** Disconnection marks of many chargers in one UPDATE, each guarded by its connection as before (a newer connection keeps its mark). */
  private readonly disconnections = this.factWrites<{ id: string; instance: string; at: Date }>(
    `UPDATE chargers c SET connected_instance = NULL, disconnected_at = now()
       FROM unnest($1::text[], $2::text[], $3::timestamptz[]) AS v(id, instance, at)
      WHERE c.id = v.id AND c.connected_instance = v.instance AND c.last_connected_at = v.at`,
    (rows) => [rows.map((r) => r.id), rows.map((r) => r.instance), rows.map((r) => r.at)],
  );
  private readonly disconnectionLogWrites = this.factWrites<{ id: string; at: Date; closedAt: Date; code: number }>(
    `UPDATE charger_connection_log l SET disconnected_at = v.closed_at, close_code = v.code
       FROM unnest($1::text[], $2::timestamptz[], $3::timestamptz[], $4::int[]) AS v(id, connected_at, closed_at, code)
      WHERE l.charger_id = v.id AND l.connected_at = v.connected_at`,
    (rows) => [rows.map((r) => r.id), rows.map((r) => r.at), rows.map((r) => r.closedAt), rows.map((r) => r.code)],
  );

  private factWrites<Row>(sql: string, columns: (rows: Row[]) => unknown[][]): QueryBatches<Row, void> {
    return new QueryBatches<Row, void>(async (rows) => {
      await this.db.query(sql, columns(rows));
      return rows.map(() => undefined);
    }, CHARGER_BATCHES);
  }

  /** One column of many chargers, read in one query per batch (undefined for an unknown charger or a null). */
  private columnReads<T>(column: 'status' | 'location_id' | 'password_hash'): QueryBatches<string, T | undefined> {
    return new QueryBatches<string, T | undefined>(async (ids) => {
      const rows: { id: string; value: T | null }[] = await this.db.query(`SELECT id, ${column} AS value FROM chargers WHERE id = ANY($1)`, [ids]);
      const byId = new Map(rows.map((r) => [r.id, r.value ?? undefined]));
      return ids.map((id) => byId.get(id));
    }, CHARGER_BATCHES);
  }

  constructor(
    private readonly db: DataSource,
    private readonly options: {
      autoRegister: boolean;
      heartbeatIntervalSeconds: number;
      /** A connector status listener failed; the charger's answer does not wait for listeners or fail with them. */
      onListenerError: (error: unknown) => void;
    },
  ) {}

  // ── The registry (operator) ────────────────────────────────────────────────────────────────────

  async register(input: NewCharger): Promise<ChargerWithSecret> {
    if (!CHARGER_ID.test(input.id)) throw new HubError('invalid', `Charger id ${JSON.stringify(input.id)} is not a valid charge point identity`);
    const locationId = input.locationId ?? null;
    const evses = input.evses ?? [];
    checkEvseMapping(locationId, evses);
    const password = input.password ?? generateChargerPassword();
    try {
      await this.db.query(`INSERT INTO chargers (id, password_hash, location_id, evses) VALUES ($1, $2, $3, $4)`, [
        input.id,
        input.password === undefined ? hashGeneratedChargerPassword(password) : await hashChargerPassword(password),
        locationId,
        evsesToJson(evses),
      ]);
    } catch (error) {
      if (isUniqueViolation(error)) throw new HubError('conflict', `A charger with id ${input.id} (ignoring case) is already registered`);
      throw error;
    }
    return { charger: await this.require(input.id), password: input.password ? undefined : password };
  }

  async list(): Promise<Charger[]> {
    const [rows, connectors]: [ChargerRow[], ConnectorRow[]] = await Promise.all([
      this.db.query(`SELECT ${CHARGER_COLUMNS} FROM chargers ORDER BY id`),
      this.db.query(`SELECT * FROM charger_connector_status ORDER BY charger_id, string_to_array(connector_id, '/')::int[]`),
    ]);
    const byCharger = new Map<string, ConnectorRow[]>();
    for (const c of connectors) {
      const list = byCharger.get(c.charger_id);
      if (list) list.push(c);
      else byCharger.set(c.charger_id, [c]);
    }
    return rows.map((row) => toCharger(row, byCharger.get(row.id) ?? []));
  }

  async find(id: string): Promise<Charger | undefined> {
    const [rows, connectors]: [ChargerRow[], ConnectorRow[]] = await Promise.all([
      this.db.query(`SELECT ${CHARGER_COLUMNS} FROM chargers WHERE id = $1`, [id]),
      this.db.query(`SELECT * FROM charger_connector_status WHERE charger_id = $1 ORDER BY string_to_array(connector_id, '/')::int[]`, [id]),
    ]);
    return rows[0] && toCharger(rows[0], connectors);
  }

  async require(id: string): Promise<Charger> {
    const charger = await this.find(id);
    if (!charger) throw new HubError('not_found', `No charger with id ${id}`);
    return charger;
  }

  async update(id: string, changes: ChargerChanges): Promise<ChargerWithSecret> {
    if (changes.password !== undefined && changes.generatePassword) throw new HubError('invalid', 'Give a password or ask for one to be generated, not both');
    const current = await this.require(id);
    const locationId = changes.locationId === undefined ? current.locationId : changes.locationId;
    const evses = changes.evses ?? current.evses;
    checkEvseMapping(locationId, evses);
    const password = changes.generatePassword ? generateChargerPassword() : changes.password;
    const passwordHash = password === undefined ? null : changes.generatePassword ? hashGeneratedChargerPassword(password) : await hashChargerPassword(password);
    const [, affected] = await this.db.query(
      `UPDATE chargers SET location_id = $2, evses = $3, status = $4, password_hash = COALESCE($5, password_hash), updated_at = now()
        WHERE id = $1`,
      [id, locationId, evsesToJson(evses), changes.status ?? current.status, passwordHash],
    );
    if (!affected) throw new HubError('not_found', `No charger with id ${id}`);
    return { charger: await this.require(id), password: changes.generatePassword ? password : undefined };
  }

  async remove(id: string): Promise<void> {
    const [, affected] = await this.db.query(`DELETE FROM chargers WHERE id = $1`, [id]);
    if (!affected) throw new HubError('not_found', `No charger with id ${id}`);
  }

  // ── Connections (the OCPP server) ──────────────────────────────────────────────────────────────

  /**
   * Security profile 1: the Basic auth password of a connecting charger. An unknown charger is refused,
   * or, with auto-registration, created PENDING with the password it presented (trust on first use),
   * so nobody else can take its identity while the operator decides.
   */
  async authenticate(id: string, password: Buffer | undefined): Promise<'known' | 'registered' | 'refused'> {
    if (!password?.length || !CHARGER_ID.test(id)) return 'refused';
    const stored = await this.passwordHash(id);
    if (stored) return (await this.passwordChecks.verify(id, password, stored)) ? 'known' : 'refused';
    if (!this.options.autoRegister) {
      await this.passwordChecks.verifyWithoutMemory(password, UNMATCHABLE_PASSWORD_HASH); // an unknown id answers as slowly as a wrong password
      return 'refused';
    }
    const created: unknown[] = await this.db.query(
      `INSERT INTO chargers (id, password_hash, status) VALUES ($1, $2, 'PENDING') ON CONFLICT DO NOTHING RETURNING id`,
      [id, await hashChargerPassword(password)],
    );
    if (created.length) return 'registered';
    // Created meanwhile by a concurrent connection (or taken by the same id in another case).
    const raced = await this.passwordHash(id);
    return raced && (await this.passwordChecks.verify(id, password, raced)) ? 'known' : 'refused';
  }

  private passwordHash(id: string): Promise<string | undefined> {
    return this.passwordReads.add(id);
  }

  /**
   * Records a connection. Connection times order the writes of different connections (instances
   * included): a late write of an older connection never overwrites a newer one, and its
   * disconnection never clears the newer one's mark.
   */
  /** Records a connection; answers the instance that held the charger's previous connection, if another. */
  connected(id: string, connection: { protocol: OcppProtocol; instance: string; at: Date }): Promise<string | undefined> {
    return this.connections.add({ id, ...connection });
  }

  async disconnected(id: string, connection: { instance: string; at: Date }): Promise<void> {
    await this.disconnections.add({ id, ...connection });
  }

  /** Keeps a connection in the charger's connection history (charger_connection_log; docs/reliability.md). */
  async logConnection(id: string, connection: { instance: string; at: Date }): Promise<void> {
    await this.connectionLogWrites.add({ id, at: connection.at, instance: connection.instance });
  }

  /** Keeps an Authorize and the hub's decision (charger_authorizations; docs/reliability.md). */
  async recordAuthorization(id: string, authorization: { idToken: string; status: string; at: Date }): Promise<void> {
    await this.authorizationWrites.add({ id, ...authorization });
  }

  /** Closes a connection of the history with its WebSocket close code (1000: a clean close). */
  async logDisconnection(id: string, connection: { at: Date; closedAt: Date; code: number }): Promise<void> {
    await this.disconnectionLogWrites.add({ id, ...connection });
  }

  /** Clears the connection marks an instance left (it restarted, or is shutting down). */
  async forgetConnections(instance: string): Promise<void> {
    // At a restart `now()` is later than the real end of those connections: the unreachable rule waits the longer for it.
    await this.db.query(`UPDATE chargers SET connected_instance = NULL, disconnected_at = now() WHERE connected_instance = $1`, [instance]);
  }

  /** The own location a charger is mapped to (one query, for the hot paths that need only that). */
  locationOf(id: string): Promise<string | undefined> {
    return this.locationReads.add(id);
  }

  async registrationStatus(id: string): Promise<RegistrationStatus | undefined> {
    return this.statusReads.add(id);
  }

  // ── What chargers report (OCPP handlers) ───────────────────────────────────────────────────────

  /** Stores the boot information; the answer is the charger's registration status and the interval to use. */
  async boot(id: string, info: BootInfo): Promise<{ status: RegistrationStatus; interval: number }> {
    for (const listener of this.bootReceivedListeners) listener(id);
    const bootInfo = { vendor: info.vendor, model: info.model, serial_number: info.serialNumber, firmware_version: info.firmwareVersion };
    const status = await this.boots.add({ id, bootInfo: JSON.stringify(bootInfo) });
    if (!status) throw new HubError('not_found', `No charger with id ${id}`);
    // Every boot kept: reliability tells reboots from them and the connection history (docs/reliability.md).
    // The hub's clock, as for the connection times it is compared with (charger_connection_log).
    await this.bootWrites.add({ id, at: new Date() });
    return { status, interval: this.options.heartbeatIntervalSeconds };
  }

  /** Records the heartbeat; answers the time it recorded, which the charger may set its clock to. */
  async heartbeat(id: string): Promise<Date> {
    const at = new Date();
    await this.heartbeats.add({ id, at });
    return at;
  }

  /**
   * Stores a connector status (last received wins: a charger's clock is not trusted before it has
   * synchronised with the hub) and tells the listeners, with the OCPI EVSE it maps to.
   */
  async connectorStatus(id: string, report: { connector: string; status: string; errorCode: string | null }): Promise<void> {
    const { updated_at, location_id, evses, statuses } = await this.statusWrites.add({ id, ...report });
    // Only the last status is kept per connector; faults are kept as events too, so the operator's
    // maintenance list can rank chargers by how often they fail (docs/dashboard.md).
    if (report.status === 'Faulted' || (report.errorCode !== null && report.errorCode !== 'NoError')) {
      await this.recordEvent(id, 'StatusNotification', report);
    }
    const mapped = evses.find((e) => e.ocpp_connector === report.connector);
    const change: ConnectorStatusChange = {
      chargerId: id,
      ...report,
      updatedAt: updated_at,
      evse: mapped && location_id ? { locationId: location_id, evseUid: mapped.evse_uid, connectorId: mapped.connector_id } : null,
      evseConnectorStatuses: mapped ? evses.filter((e) => e.evse_uid === mapped.evse_uid && statuses[e.ocpp_connector]).map((e) => statuses[e.ocpp_connector]) : [],
    };
    for (const listener of this.connectorListeners) {
      Promise.resolve()
        .then(() => listener(change))
        .catch(this.options.onListenerError);
    }
  }

  /**
   * The Accepted answer to a charger's boot has gone out (the OCPP server says so as it sends it): the
   * listeners may call the charger from now on (OCPP 2.0.1 B01.FR.05), never before it has its answer.
   */
  bootAnswered(id: string): void {
    for (const listener of this.bootListeners) setImmediate(() => Promise.resolve().then(() => listener(id)).catch(this.options.onListenerError));
  }

  /** Told, synchronously, when a charger's BootNotification arrives (before it is stored or answered). */
  onBootReceived(listener: (chargerId: string) => void): void {
    this.bootReceivedListeners.push(listener);
  }

  /** Told when a charger's boot was accepted and answered (it may be called from then on). */
  onAcceptedBoot(listener: (chargerId: string) => void | Promise<void>): void {
    this.bootListeners.push(listener);
  }

  /** The hook the OCPI location publisher uses: every stored connector status, after it is stored. */
  onConnectorStatus(listener: ConnectorStatusListener): void {
    this.connectorListeners.push(listener);
  }

  /** Keeps a notification (firmware, diagnostics, security event…) as the charger sent it, with what the hub answered. */
  async recordEvent(id: string, action: string, payload: unknown, answer?: unknown): Promise<void> {
    await this.db.query(`INSERT INTO ocpp_events (charger_id, action, payload, answer) VALUES ($1, $2, $3, $4)`, [
      id,
      action,
      JSON.stringify(payload),
      answer === undefined ? null : JSON.stringify(answer),
    ]);
  }

  /** The events a charger sent, newest first (`action` narrows them). */
  async events(id: string, options: { action?: string; limit?: number } = {}): Promise<{ action: string; payload: unknown; answer: unknown; receivedAt: Date }[]> {
    const rows: { action: string; payload: unknown; answer: unknown; received_at: Date }[] = await this.db.query(
      `SELECT action, payload, answer, received_at FROM ocpp_events WHERE charger_id = $1 AND ($2::text IS NULL OR action = $2)
        ORDER BY received_at DESC, id DESC LIMIT $3`,
      [id, options.action ?? null, options.limit ?? 100],
    );
    return rows.map((r) => ({ action: r.action, payload: r.payload, answer: r.answer, receivedAt: r.received_at }));
  }
}
