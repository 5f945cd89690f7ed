/**
 * A connector status of either OCPP version as OCPI sees it: the one mapping, used by the own CPO
 * when it publishes EVSE statuses and by the reliability measures when they read status histories.
 * 1.6 Preparing and Finishing are a car at the connector without energy flowing: the EVSE is taken,
 * so CHARGING (OCPI has no "occupied"); 2.0.1 Occupied is the same.
 */

/** OCPI 2.2.1 EvseStatus (mod_locations.asciidoc, Status enum). */
export const OCPI_EVSE_STATUSES = ['AVAILABLE', 'BLOCKED', 'CHARGING', 'INOPERATIVE', 'OUTOFORDER', 'PLANNED', 'REMOVED', 'RESERVED', 'UNKNOWN'] as const;
export type EvseStatus = (typeof OCPI_EVSE_STATUSES)[number];

/** OCPP 1.6 ChargePointStatus → OCPI. */
const OCPP16_STATUSES: Readonly<Record<string, EvseStatus>> = {
  Available: 'AVAILABLE',
  Preparing: 'CHARGING',
  Charging: 'CHARGING',
  SuspendedEV: 'CHARGING',
  SuspendedEVSE: 'CHARGING',
  Finishing: 'CHARGING',
  Reserved: 'RESERVED',
  Unavailable: 'INOPERATIVE',
  Faulted: 'OUTOFORDER',
};

/** OCPP 2.0.1 ConnectorStatusEnumType → OCPI. */
const OCPP201_STATUSES: Readonly<Record<string, EvseStatus>> = {
  Available: 'AVAILABLE',
  Occupied: 'CHARGING',
  Reserved: 'RESERVED',
  Unavailable: 'INOPERATIVE',
  Faulted: 'OUTOFORDER',
};

const lookup = (table: Readonly<Record<string, EvseStatus>>, status: string) => (Object.hasOwn(table, status) ? table[status] : undefined);

/** OCPP 1.6 ChargePointStatus → OCPI EvseStatus; anything else is refused (RangeError). */
export function fromOcpp16Status(status: string): EvseStatus {
  const mapped = lookup(OCPP16_STATUSES, status);
  if (!mapped) throw new RangeError(`Not an OCPP 1.6 ChargePointStatus: ${status}`);
  return mapped;
}

/** OCPP 2.0.1 ConnectorStatusEnumType → OCPI EvseStatus; anything else is refused (RangeError). */
export function fromOcpp201Status(status: string): EvseStatus {
  const mapped = lookup(OCPP201_STATUSES, status);
  if (!mapped) throw new RangeError(`Not an OCPP 2.0.1 ConnectorStatus: ${status}`);
  return mapped;
}

/** A stored status of either version as the hub publishes it: one neither version names is UNKNOWN. */
export function evseStatusOf(ocppStatus: string): EvseStatus {
  return lookup(OCPP16_STATUSES, ocppStatus) ?? lookup(OCPP201_STATUSES, ocppStatus) ?? 'UNKNOWN';
}
