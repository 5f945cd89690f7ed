import { idTokenInfo, type OcppHandler, ocpiTokenType } from '../ocpp-handler';

interface AuthorizeRequest {
  idToken: { idToken: string; type: string };
}

/** OCPP 2.0.1 C01: may this token charge here? Decided by the token's eMSP rules (charging/driver-authorization.ts). */
export const authorize: OcppHandler<AuthorizeRequest, { idTokenInfo: ReturnType<typeof idTokenInfo> }> = async ({ chargerId, params, chargers, authorization }) => {
  const charger = await chargers.find(chargerId);
  const result = await authorization.authorizeAt(chargerId, {
    uid: params.idToken.idToken,
    type: ocpiTokenType(params.idToken.type),
    locationId: charger?.locationId ?? undefined,
  });
  return { idTokenInfo: idTokenInfo(result) };
};
