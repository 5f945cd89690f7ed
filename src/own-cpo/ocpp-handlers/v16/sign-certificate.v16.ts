import type { OcppHandler } from '../ocpp-handler';

/**
 * Security whitepaper (edition 3) A02/A03: the charge point asks for a new certificate. The hub's
 * certificate authority checks the CSR (ocpp/charger-certificates.ts): Accepted, then the signed
 * certificate follows with CertificateSigned; Rejected (1.6 has no room for a reason: the
 * `SignCertificate` event keeps it) and nothing issued otherwise.
 */
export const signCertificate: OcppHandler<{ csr: string }, { status: 'Accepted' | 'Rejected' }> = async ({ chargerId, protocol, params, certificates }) => {
  const { status } = await certificates.signRequested(chargerId, protocol, params);
  return { status };
};
