import type { OcppHandler } from '../ocpp-handler';

/**
 * Notifications kept as sent in ocpp_events, which the operator reads as the progress of what it asked
 * (GET /admin/chargers/{id}/events): FirmwareStatusNotification (OCPP 1.6 §4.5),
 * DiagnosticsStatusNotification (§4.4), and from the Security whitepaper (edition 3):
 * SecurityEventNotification, LogStatusNotification (GetLog's
 * upload) and SignedFirmwareStatusNotification (SignedUpdateFirmware's progress). Each is answered with
 * its empty confirmation; the schemas ocpp-rpc ships in ocpp1_6.json hold all of them.
 */
function keptAs(action: string): OcppHandler<Record<string, unknown>, Record<string, never>> {
  return async ({ chargerId, params, chargers }) => {
    await chargers.recordEvent(chargerId, action, params);
    return {};
  };
}

export const firmwareStatusNotification = keptAs('FirmwareStatusNotification');
export const diagnosticsStatusNotification = keptAs('DiagnosticsStatusNotification');
export const securityEventNotification = keptAs('SecurityEventNotification');
export const logStatusNotification = keptAs('LogStatusNotification');
export const signedFirmwareStatusNotification = keptAs('SignedFirmwareStatusNotification');
