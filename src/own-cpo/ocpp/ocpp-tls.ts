import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { createServer, type Server } from 'node:https';
import { TLSSocket } from 'node:tls';

function readPem(file: string, variable: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new Error(`${variable}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}

/**
 * Security profile 2: an HTTPS server for charge points only (TLS 1.2 or later, as OCPP requires),
 * to which the OCPP server is attached like to the plain one. Missing or unusable files stop the
 * start with a sentence naming the variable. Plain HTTP requests get 426: this port only upgrades.
 *
 * Security profile 3 (`caFile`): the server asks every charger for a client certificate and the TLS
 * handshake itself fails without one signed by that CA, so nothing untrusted reaches the upgrade;
 * the OCPP server then takes the certificate's subject CN as the charge point's identity.
 */
export function createOcppTlsServer(files: { keyFile: string; certFile: string; caFile?: string }): Server {
  const key = readPem(files.keyFile, 'OCPP_TLS_KEY');
  const cert = readPem(files.certFile, 'OCPP_TLS_CERT');
  const clientCa = files.caFile ? readPem(files.caFile, 'OCPP_TLS_CA') : undefined;
  const clientCertificates = clientCa ? { ca: clientCa, requestCert: true, rejectUnauthorized: true } : {};
  try {
    return createServer({ key, cert, minVersion: 'TLSv1.2', ...clientCertificates }, (_request, response) => {
      response.writeHead(426, { Upgrade: 'websocket', 'Content-Type': 'text/plain' });
      response.end('Charge points connect here with a WebSocket upgrade to /ocpp/<charge point id>\n');
    });
  } catch (error) {
    const what = clientCa
      ? 'OCPP_TLS_KEY / OCPP_TLS_CERT / OCPP_TLS_CA: not a usable key, certificate and CA'
      : 'OCPP_TLS_KEY / OCPP_TLS_CERT: not a usable key and certificate';
    throw new Error(`${what} (${(error as Error).message})`);
  }
}

/**
 * The client certificate of a request on a profile 3 listener, when TLS has verified it against the
 * configured CA (`authorized`); undefined on plain connections and profile 2 (no certificate asked).
 */
export function verifiedClientCertificate(request: IncomingMessage): { commonName: string } | undefined {
  const socket = request.socket;
  if (!(socket instanceof TLSSocket) || !socket.authorized) return undefined;
  const subject = socket.getPeerCertificate()?.subject;
  const commonName = subject?.CN;
  // Several CNs (an array) name no single charge point: '' matches no id.
  return { commonName: typeof commonName === 'string' ? commonName : '' };
}
