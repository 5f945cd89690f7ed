import type { OcppHandler } from '../ocpp-handler';
import { keptWith } from './notifications.v201';

/**
 * The three requests a station makes of the CSMS's public-key infrastructure: SignCertificate (A02/A03),
 * Get15118EVCertificate (M01/M02) and GetCertificateStatus (M06). The hub runs no certificate authority,
 * has no ISO 15118 contract-certificate pool and no OCSP responder to ask, so it answers each with the
 * refusal its schema defines and says why in statusInfo (rather than NotImplemented: the station learns
 * the feature is not offered and stops retrying). Each exchange is kept with its answer.
 */
const NO_PKI = 'the hub runs no certificate authority or OCSP client';

/** A02: the station asks for a certificate for its CSR. */
export const signCertificate: OcppHandler<{ csr: string; certificateType?: string }, { status: 'Rejected'; statusInfo: { reasonCode: string; additionalInfo: string } }> = (call) =>
  keptWith(call, 'SignCertificate', { status: 'Rejected', statusInfo: { reasonCode: 'NoCertAuthority', additionalInfo: NO_PKI } });

/** M01/M02: an EV asks for a contract certificate to be installed or updated (Plug & Charge). */
export const get15118EVCertificate: OcppHandler<
  { iso15118SchemaVersion: string; action: string; exiRequest: string },
  { status: 'Failed'; exiResponse: string; statusInfo: { reasonCode: string; additionalInfo: string } }
> = (call) => keptWith(call, 'Get15118EVCertificate', { status: 'Failed', exiResponse: '', statusInfo: { reasonCode: 'NoContractCertPool', additionalInfo: NO_PKI } });

/** M06: the station asks the OCSP status of a certificate. */
export const getCertificateStatus: OcppHandler<{ ocspRequestData: Record<string, unknown> }, { status: 'Failed'; statusInfo: { reasonCode: string; additionalInfo: string } }> = (call) =>
  keptWith(call, 'GetCertificateStatus', { status: 'Failed', statusInfo: { reasonCode: 'NoOcspClient', additionalInfo: NO_PKI } });
