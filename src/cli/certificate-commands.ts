import { readFileSync } from 'node:fs';
import type { AxiosInstance, AxiosResponse } from 'axios';
import { requestedBy } from './charger-commands';

/** `ocpi-hub ca …` and `ocpi-hub certificate …`: the hub's certificate authority for its chargers (docs/security.md). */
export const CERTIFICATE_USAGE = `  ocpi-hub ca show                            the hub CA for charger certificates (made on first use), with its PEM and CRL URL
  ocpi-hub ca import --cert <ca.pem> --key <ca.key>
                                              make the operator's CA (certificate, then its issuers; PKCS#8 key) the hub's
  ocpi-hub certificate list [--charger <id>] [--state issued|revoked]
                                              certificates the hub issued to its chargers, newest first
  ocpi-hub certificate show <serial>
  ocpi-hub certificate revoke <serial> [--reason <text>]
                                              the TLS listener (security profile 3) then refuses it; the CA's CRL lists it
  ocpi-hub certificate deliver <serial>        send an issued certificate to its charger again (CertificateSigned)
  ocpi-hub certificate renew <charger id>     ask the charger for a new CSR (1.6 ExtendedTriggerMessage, 2.0.1 TriggerMessage)
  ocpi-hub certificate install-root <charger id>
                                              InstallCertificate with the hub CA's root (CentralSystem/CSMSRootCertificate)
`;

export const CERTIFICATE_ACTIONS: Record<string, string[]> = {
  ca: ['show', 'import'],
  certificate: ['list', 'show', 'revoke', 'deliver', 'renew', 'install-root'],
};

export const CERTIFICATE_OPTIONS = {
  cert: { type: 'string' },
  key: { type: 'string' },
  charger: { type: 'string' },
  state: { type: 'string' },
  reason: { type: 'string' },
} as const;

/** A mistake in what the operator typed or pointed at: shown with the usage, exit code 2. */
export class CertificateUsageError extends Error {}

function required(value: string | undefined, name: string): string {
  if (!value) throw new CertificateUsageError(`Missing ${name}`);
  return value;
}

function readText(file: string | undefined, option: string): string {
  const path = required(file, option);
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new CertificateUsageError(`Cannot read ${path}: ${(error as Error).message}`);
  }
}

export async function runCertificateCommand(group: string, api: AxiosInstance, args: string[], values: Record<string, string | undefined>): Promise<AxiosResponse> {
  const [action, argument] = args;
  const headers = { 'X-Requested-By': requestedBy() };
  if (group === 'ca') {
    if (action === 'show') return api.get('/admin/certificate-authority');
    return api.put('/admin/certificate-authority', { certificate_pem: readText(values.cert, '--cert <ca.pem>'), private_key_pem: readText(values.key, '--key <ca.key>') }, { headers });
  }
  switch (action) {
    case 'list':
      return api.get('/admin/certificates', { params: { ...(values.charger && { charger_id: values.charger }), ...(values.state && { state: values.state }) } });
    case 'show':
      return api.get(`/admin/certificates/${encodeURIComponent(required(argument, '<serial>'))}`);
    case 'revoke':
      return api.post(`/admin/certificates/${encodeURIComponent(required(argument, '<serial>'))}/revoke`, values.reason ? { reason: values.reason } : {}, { headers });
    case 'deliver':
      return api.post(`/admin/certificates/${encodeURIComponent(required(argument, '<serial>'))}/deliver`, {}, { headers, timeout: 45_000 });
    case 'renew':
      return api.post(`/admin/chargers/${encodeURIComponent(required(argument, '<charger id>'))}/shortcuts/renew-certificate`, {}, { headers });
    default:
      return api.post(`/admin/chargers/${encodeURIComponent(required(argument, '<charger id>'))}/certificates/install-root`, {}, { headers });
  }
}
