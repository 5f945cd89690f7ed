import type { OcppHandler } from '../ocpp-handler';
import { keptWith } from './notifications.v201';

/**
 * The three requests a station makes of the CSMS's public-key infrastructure: SignCertificate (A02/A03),
 * Get15118EVCertificate (M01/M02) and GetCertificateStatus (M06). The hub's own certificate authority
 * signs charging station certificates (ocpp/charger-certificates.ts); it has no ISO 15118
 * contract-certificate pool and no OCSP responder to ask, so it answers the other two with the refusal
 * their schema defines and says why in statusInfo (rather than NotImplemented: the station learns the
 * feature is not offered and stops retrying). Each exchange is kept with its answer.
 */
const NO_PKI = 'the hub runs no ISO 15118 certificate pool or OCSP client';

type SignCertificateAnswer = { status: 'Accepted' | 'Rejected'; statusInfo?: { reasonCode: string; additionalInfo: string } };

/**
 * A02/A03: the station asks for a certificate for its CSR: Accepted (the certificate follows with
 * CertificateSigned), or Rejected with the reason in statusInfo. 2.1 keeps the message (its requestId
 * is echoed in CertificateSigned).
 */
export const signCertificate: OcppHandler<{ csr: string; certificateType?: string; requestId?: number }, SignCertificateAnswer> = async ({ chargerId, protocol, params, certificates }) => {
  const decision = await certificates.signRequested(chargerId, protocol, params);
  return decision.status === 'Accepted'
    ? { status: 'Accepted' }
    : { status: 'Rejected', statusInfo: { reasonCode: decision.reasonCode ?? 'Rejected', additionalInfo: (decision.reason ?? '').slice(0, 512) } };
};

/** M01/M02: an EV asks for a contract certificate to be installed or updated (Plug & Charge). */
export const get15118EVCertificate: OcppHandler<
  { iso15118SchemaVersion: string; action: string; exiRequest: string },
  { status: 'Failed'; exiResponse: string; statusInfo: { reasonCode: string; additionalInfo: string } }
> = (call) => keptWith(call, 'Get15118EVCertificate', { status: 'Failed', exiResponse: '', statusInfo: { reasonCode: 'NoContractCertPool', additionalInfo: NO_PKI } });

/** M06: the station asks the OCSP status of a certificate. */
export const getCertificateStatus: OcppHandler<{ ocspRequestData: Record<string, unknown> }, { status: 'Failed'; statusInfo: { reasonCode: string; additionalInfo: string } }> = (call) =>
  keptWith(call, 'GetCertificateStatus', { status: 'Failed', statusInfo: { reasonCode: 'NoOcspClient', additionalInfo: NO_PKI } });
