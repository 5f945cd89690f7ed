import type { DriverAuthorization, DriverAuthorizationResult } from '../charging/driver-authorization';
import type { TransactionsService } from '../charging/transactions.service';
import type { LostTransactions } from '../charging/lost-transactions';
import type { ChargersService, OcppProtocol, RegistrationStatus } from '../chargers/chargers.service';
import type { ChargerDeviceModel } from '../chargers/charger-device-model';
import type { ChargerChargingNeeds } from '../chargers/charger-charging-needs';
import type { ChargerCosts } from '../charging/charger-costs';
import type { ChargerCallHandlers } from '../ocpp/ocpp-server';
import type { ChargerCertificates } from '../ocpp/charger-certificates';

/**
 * One call a charger made. Strict mode has already checked `params` against the protocol's JSON
 * schema, so a handler may rely on the shape its request type declares.
 */
export interface OcppCall<Params> {
  /** The charge point identity the connection authenticated as. */
  chargerId: string;
  /** The subprotocol of the connection (2.0.1 and 2.1 share handlers; what differs asks CHARGER_PROTOCOLS[protocol]). */
  protocol: OcppProtocol;
  params: Params;
  chargers: ChargersService;
  /** The device model / configuration store (NotifyReport). */
  deviceModel: ChargerDeviceModel;
  /** EV charging needs and external charging limits (NotifyEVChargingNeeds, NotifyChargingLimit). */
  chargingNeeds: ChargerChargingNeeds;
  /** The cost a 2.1 station calculated itself, checked against the CDR. */
  chargerCosts: ChargerCosts;
  transactions: TransactionsService;
  authorization: DriverAuthorization;
  /** Transactions the charger lost: boots, busy connectors and free ones tell it (charging/lost-transactions.ts). */
  lost: LostTransactions;
  /** The hub's certificate authority for its chargers (SignCertificate). */
  certificates: ChargerCertificates;
}

/** The domain services handlers are given (the server adds the charger id and params per call). */
export type OcppDomain = Pick<OcppCall<unknown>, 'chargers' | 'transactions' | 'authorization' | 'lost' | 'deviceModel' | 'chargingNeeds' | 'chargerCosts' | 'certificates'>;

/**
 * Answers one OCPP action: a plain function from the call to the response payload (checked against the
 * schema on the way out). It never touches the socket; throwing an `RPCError` answers a CALLERROR.
 */
export type OcppHandler<Params = never, Response = unknown> = (call: OcppCall<Params>) => Promise<Response>;

/** The actions a protocol version handles, by name; others are answered NotImplemented. (`never` accepts every handler.) */
export type OcppHandlers = Record<string, OcppHandler<never>>;

/** A version's handlers as the OCPP server takes them: each given the domain services with every call. */
export function withDomain(handlers: OcppHandlers, domain: OcppDomain): ChargerCallHandlers {
  return Object.fromEntries(
    Object.entries(handlers).map(([action, handler]) => [action, (call: { chargerId: string; protocol: OcppProtocol; params: never }) => handler({ ...domain, ...call })]),
  );
}

/** RegistrationStatus as both protocol versions write it. */
export const WIRE_REGISTRATION_STATUS: Record<RegistrationStatus, 'Accepted' | 'Pending' | 'Rejected'> = {
  ACCEPTED: 'Accepted',
  PENDING: 'Pending',
  REJECTED: 'Rejected',
};

/** The decision for a token presented at the calling charger (its location goes to a real-time request). */
export async function authorizeHere(call: Pick<OcppCall<unknown>, 'chargerId' | 'chargers' | 'authorization'>, token: { uid: string; type: string }): Promise<DriverAuthorizationResult> {
  return call.authorization.authorizeAt(call.chargerId, { ...token, locationId: await call.chargers.locationOf(call.chargerId) });
}

/** An Authorize call's decision, kept (reliability reads an accepted token no transaction follows as a failed attempt). */
export async function authorizeCall(call: Pick<OcppCall<unknown>, 'chargerId' | 'chargers' | 'authorization'>, token: { uid: string; type: string }): Promise<DriverAuthorizationResult> {
  const at = new Date();
  const result = await authorizeHere(call, token);
  await call.chargers.recordAuthorization(call.chargerId, { idToken: token.uid, status: result.status, at });
  return result;
}

/** OCPP 1.6 IdTagInfo for a driver authorization (AuthorizationStatus has no NoCredit or Unknown: Invalid). */
export function idTagInfo(result: DriverAuthorizationResult): { status: 'Accepted' | 'Blocked' | 'Expired' | 'Invalid'; expiryDate?: string } {
  const status = result.status === 'ALLOWED' ? 'Accepted' : result.status === 'BLOCKED' ? 'Blocked' : result.status === 'EXPIRED' ? 'Expired' : 'Invalid';
  // A charger caches accepted tokens in its Authorization Cache; only as long as the eMSP's whitelist rule allows.
  return status === 'Accepted' ? { status, expiryDate: new Date(result.cacheUntil ?? Date.now()).toISOString() } : { status };
}

/** OCPP 2.0.1 IdTokenInfo for a driver authorization. */
export function idTokenInfo(result: DriverAuthorizationResult): { status: string; cacheExpiryDateTime?: string } {
  const status = {
    ALLOWED: 'Accepted',
    BLOCKED: 'Blocked',
    EXPIRED: 'Expired',
    NO_CREDIT: 'NoCredit',
    NOT_ALLOWED: 'Invalid',
    UNKNOWN: 'Unknown',
  }[result.status];
  return status === 'Accepted' ? { status, cacheExpiryDateTime: new Date(result.cacheUntil ?? Date.now()).toISOString() } : { status };
}

/** OCPP 2.0.1 IdTokenEnumType → OCPI TokenType. */
export function ocpiTokenType(idTokenType: string): string {
  if (idTokenType === 'ISO14443' || idTokenType === 'ISO15693') return 'RFID';
  if (idTokenType === 'Central') return 'APP_USER';
  return 'OTHER';
}
