import { authorizeCall, idTokenInfo, type OcppHandler, ocpiTokenType } from '../ocpp-handler';

interface AuthorizeRequest {
  idToken: { idToken: string; type: string };
}

/** OCPP 2.0.1 C01: may this token charge here? Decided by the token's eMSP rules (charging/driver-authorization.ts). */
export const authorize: OcppHandler<AuthorizeRequest, { idTokenInfo: ReturnType<typeof idTokenInfo> }> = async (call) => ({
  idTokenInfo: idTokenInfo(await authorizeCall(call, { uid: call.params.idToken.idToken, type: ocpiTokenType(call.params.idToken.type) })),
});
