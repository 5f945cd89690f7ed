import type { OcppHandler } from '../ocpp-handler';

/**
 * Notifications kept as sent in ocpp_events, for the firmware and security features to read:
 * FirmwareStatusNotification (OCPP 2.0.1 L01) and SecurityEventNotification (A04); and
 * ReservationStatusUpdate (H05: the station dropped an expired or removed reservation), which the hub's
 * own expiry job also handles from its side (docs/own-chargers.md).
 */
function keptAs(action: string): OcppHandler<Record<string, unknown>, Record<string, never>> {
  return async ({ chargerId, params, chargers }) => {
    await chargers.recordEvent(chargerId, action, params);
    return {};
  };
}

export const firmwareStatusNotification = keptAs('FirmwareStatusNotification');
export const securityEventNotification = keptAs('SecurityEventNotification');
export const reservationStatusUpdate = keptAs('ReservationStatusUpdate');
