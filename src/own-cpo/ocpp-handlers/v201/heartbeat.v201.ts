import type { OcppHandler } from '../ocpp-handler';

/** OCPP 2.0.1 G02: a sign of life; the answer carries the hub's time for the station's clock. */
export const heartbeat: OcppHandler<Record<string, never>, { currentTime: string }> = async ({ chargerId, chargers }) => ({
  currentTime: (await chargers.heartbeat(chargerId)).toISOString(),
});
