import type { OcppHandler } from '../ocpp-handler';

/** A PEM PKCS#10 request, as the whitepaper asks ("PEM encoded … PKCS#10"); what is inside is the CA's to check. */
const PEM_CSR = /^-----BEGIN (NEW )?CERTIFICATE REQUEST-----\r?\n[A-Za-z0-9+/=\r\n]+-----END (NEW )?CERTIFICATE REQUEST-----\s*$/;

/**
 * Security whitepaper (edition 3) A02/A03: the charge point asks for a new certificate. The hub holds
 * no CA key, so it does not sign: it keeps the CSR as a `SignCertificate` event for the operator, who
 * has it signed by the CA and sends the chain back with CertificateSigned
 * (POST /admin/chargers/{id}/actions/CertificateSigned). Accepted means exactly that "the CSMS will
 * forward it"; a text that is no PEM CSR is Rejected and kept too, so the operator sees the attempt.
 */
export const signCertificate: OcppHandler<{ csr: string }, { status: 'Accepted' | 'Rejected' }> = async ({ chargerId, params, chargers }) => {
  const status = PEM_CSR.test(params.csr.trim() + '\n') ? 'Accepted' : 'Rejected';
  await chargers.recordEvent(chargerId, 'SignCertificate', { csr: params.csr, answered: status });
  return { status };
};
