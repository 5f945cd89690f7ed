import { idTagInfo, type OcppHandler } from '../ocpp-handler';

/** OCPP 1.6 §4.1: may this idTag charge here? Decided by the token's eMSP rules (charging/driver-authorization.ts). */
export const authorize: OcppHandler<{ idTag: string }, { idTagInfo: ReturnType<typeof idTagInfo> }> = async ({ chargerId, params, chargers, authorization }) => {
  const charger = await chargers.find(chargerId);
  const result = await authorization.authorizeAt(chargerId, { uid: params.idTag, type: 'RFID', locationId: charger?.locationId ?? undefined });
  return { idTagInfo: idTagInfo(result) };
};
