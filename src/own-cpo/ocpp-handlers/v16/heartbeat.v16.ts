import type { OcppHandler } from '../ocpp-handler';

/** OCPP 1.6 §4.6: a sign of life; the answer carries the hub's time for the charge point's clock. */
export const heartbeat: OcppHandler<Record<string, never>, { currentTime: string }> = async ({ chargerId, chargers }) => ({
  currentTime: (await chargers.heartbeat(chargerId)).toISOString(),
});
