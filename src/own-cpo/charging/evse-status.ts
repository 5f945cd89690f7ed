import type { Logger } from 'pino';
import type { LocationsService } from '../../hub/modules/locations/locations.service';
import type { Charger, ConnectorStatusChange } from '../chargers/chargers.service';
import type { RoleAddress } from '../../hub/ocpi/party-address';
import { type EvseStatus, evseStatusOf } from '../../core/charging/connector-status';

/** Which status an EVSE with several connectors shows: the most telling one (in use > reserved > free > broken). */
const PRECEDENCE: EvseStatus[] = ['CHARGING', 'RESERVED', 'AVAILABLE', 'BLOCKED', 'OUTOFORDER', 'INOPERATIVE', 'UNKNOWN'];

export function combinedEvseStatus(statuses: EvseStatus[]): EvseStatus {
  return PRECEDENCE.find((s) => statuses.includes(s)) ?? 'UNKNOWN';
}

/** What a charger's connectors say of each EVSE it is mapped to: UNKNOWN while they never reported. */
export function chargerEvseStatuses(charger: Charger): Map<string, EvseStatus> {
  const reported = new Map<string, EvseStatus[]>();
  for (const mapping of charger.evses) {
    const statuses = reported.get(mapping.evseUid) ?? [];
    const state = charger.connectors.find((c) => c.connector === mapping.ocppConnector);
    if (state) statuses.push(evseStatusOf(state.status));
    reported.set(mapping.evseUid, statuses);
  }
  return new Map([...reported].map(([evseUid, statuses]) => [evseUid, combinedEvseStatus(statuses)]));
}

/** The statuses a charger decides (PLANNED and REMOVED stay the operator's). */
export const LIVE_EVSE_STATUSES: readonly string[] = PRECEDENCE;

/**
 * Publishes the EVSE statuses of the hub's own charge points: each stored connector status becomes a
 * PATCH of the mapped EVSE in the own CPO's location, which the locations module stores and pushes to
 * the eMSPs with agreements, like any CPO's update. Unchanged statuses are not sent again.
 */
export class EvseStatusPublisher {
  private readonly last = new Map<string, EvseStatus>();

  constructor(private readonly deps: { locations: LocationsService; ownCpo: RoleAddress; log: Logger }) {}

  /** A reservation or its end shows on the EVSE even when the charger reports nothing. */
  async show(locationId: string, evseUid: string, status: EvseStatus): Promise<void> {
    await this.patch(locationId, evseUid, status);
  }

  /**
   * A charger registered or re-mapped: each EVSE it is mapped to shows what its connectors last
   * reported, and UNKNOWN while they never reported anything (the status the operator wrote in the
   * location is a guess; a charger that never connected is not AVAILABLE to drivers).
   */
  async showCharger(charger: Charger): Promise<void> {
    if (!charger.locationId) return;
    for (const [evseUid, status] of chargerEvseStatuses(charger)) await this.patch(charger.locationId, evseUid, status);
  }

  /** A connector's reported status, shown on the EVSE it is mapped to (services.ts subscribes it to the chargers' reports). */
  async publish(change: ConnectorStatusChange): Promise<void> {
    if (!change.evse) return;
    const { locationId, evseUid } = change.evse;
    const statuses = (change.evseConnectorStatuses.length ? change.evseConnectorStatuses : [change.status]).map(evseStatusOf);
    await this.patch(locationId, evseUid, combinedEvseStatus(statuses));
  }

  /** The EVSE's status as last published: this instance's memory, else the stored location (after a restart). */
  private async published(locationId: string, evseUid: string): Promise<EvseStatus | undefined> {
    const key = `${locationId}/${evseUid}`;
    if (this.last.has(key)) return this.last.get(key);
    const stored = await this.deps.locations.storedOf(this.deps.ownCpo, locationId);
    const status = stored?.evses?.find((e) => e.uid === evseUid)?.status as EvseStatus | undefined;
    if (status) this.last.set(key, status);
    return status;
  }

  /**
   * last_updated keeps milliseconds: a status that changes back and forth within a second is a new
   * version each time (the outbox delivers each version of an object once).
   */
  private async patch(locationId: string, evseUid: string, status: EvseStatus): Promise<void> {
    const key = `${locationId}/${evseUid}`;
    // Chargers repeat statuses (every reconnect); only a change is published.
    if ((await this.published(locationId, evseUid)) === status) return;
    try {
      await this.deps.locations.change(this.deps.ownCpo, undefined, { locationId, evseUid }, 'PATCH', { status, last_updated: new Date().toISOString() });
      this.last.set(key, status);
    } catch (error) {
      this.deps.log.warn({ err: error, location: locationId, evse: evseUid }, 'could not publish an EVSE status (is the location published?)');
    }
  }
}
