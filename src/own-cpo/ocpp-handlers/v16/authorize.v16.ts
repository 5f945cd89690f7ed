import { authorizeCall, idTagInfo, type OcppHandler } from '../ocpp-handler';

/** OCPP 1.6 §4.1: may this idTag charge here? Decided by the token's eMSP rules (charging/driver-authorization.ts). */
export const authorize: OcppHandler<{ idTag: string }, { idTagInfo: ReturnType<typeof idTagInfo> }> = async (call) => ({
  idTagInfo: idTagInfo(await authorizeCall(call, { uid: call.params.idTag, type: 'RFID' })),
});
