import type { OcppHandler } from '../ocpp-handler';

/**
 * Notifications kept as sent in ocpp_events, for the firmware and diagnostics features to read:
 * FirmwareStatusNotification (OCPP 1.6 §4.5) and DiagnosticsStatusNotification (§4.4).
 */
function keptAs(action: string): OcppHandler<{ status: string }, Record<string, never>> {
  return async ({ chargerId, params, chargers }) => {
    await chargers.recordEvent(chargerId, action, params);
    return {};
  };
}

export const firmwareStatusNotification = keptAs('FirmwareStatusNotification');
export const diagnosticsStatusNotification = keptAs('DiagnosticsStatusNotification');
