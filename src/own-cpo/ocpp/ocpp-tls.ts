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
 * With `hubCa` the listener serves profile 2 and 3 together: a charger without a certificate
 * authenticates with its password (and gets its certificate with SignCertificate), one with a
 * certificate must have one of the hub CA.
 */
export function createOcppTlsServer(files: { keyFile: string; certFile: string; caFile?: string; hubCa?: boolean }): Server {
  const key = readPem(files.keyFile, 'OCPP_TLS_KEY');
  const cert = readPem(files.certFile, 'OCPP_TLS_CERT');
  const clientCa = files.caFile ? readPem(files.caFile, 'OCPP_TLS_CA') : undefined;
  // OCPP_TLS_CA=hub: a certificate is asked for but not required, so a charger enrols with its password
  // (profile 2) before it has one; the hub CA is trusted once trustHubCa has read it from the database
  // (before the listener listens).
  const clientCertificates = clientCa ? { ca: clientCa, requestCert: true, rejectUnauthorized: true } : files.hubCa ? { requestCert: true, rejectUnauthorized: false } : {};
  let server: Server;
  try {
    server = createServer({ key, cert, minVersion: 'TLSv1.2', ...clientCertificates }, (_request, response) => {
      response.writeHead(426, { Upgrade: 'websocket', 'Content-Type': 'text/plain' });
      response.end('Charge points connect here with a WebSocket upgrade to /ocpp/<charge point id>\n');
    });
  } catch (error) {
    const what = clientCa
      ? 'OCPP_TLS_KEY / OCPP_TLS_CERT / OCPP_TLS_CA: not a usable key, certificate and CA'
      : 'OCPP_TLS_KEY / OCPP_TLS_CERT: not a usable key and certificate';
    throw new Error(`${what} (${(error as Error).message})`);
  }
  if (files.hubCa) server.prependListener('secureConnection', refuseUnverifiedCertificate);
  return server;
}

/**
 * OCPP_TLS_CA=hub: a connection that presented a client certificate the hub CA did not sign (or one
 * expired, or not yet valid) ends right after the handshake, before a byte of HTTP is read, as
 * `rejectUnauthorized` would end it; one without a certificate goes on to the password check.
 */
function refuseUnverifiedCertificate(socket: TLSSocket): void {
  if (!socket.authorized && socket.getPeerX509Certificate()) socket.destroy();
}

/**
 * Security profile 3 with the hub's own certificate authority (OCPP_TLS_CA=hub): the listener trusts
 * `caChainPem` (the hub CA and its issuers, docs/security.md) for client certificates. Called at the
 * start and again when the operator imports another CA on this instance; the key and certificate are
 * read again with it (a TLS context is replaced whole).
 */
export function trustHubCa(server: Server, files: { keyFile: string; certFile: string }, caChainPem: string): void {
  server.setSecureContext({ key: readPem(files.keyFile, 'OCPP_TLS_KEY'), cert: readPem(files.certFile, 'OCPP_TLS_CERT'), ca: caChainPem, minVersion: 'TLSv1.2' });
}

/**
 * The client certificate of a request on a profile 3 listener, when TLS has verified it against the
 * configured CA (`authorized`); undefined on plain connections and profile 2 (no certificate asked).
 * `serialNumber` is upper-case hex, as TLS gives it (the hub's revocations are looked up by it).
 */
export function verifiedClientCertificate(request: IncomingMessage): { commonName: string; serialNumber: string } | undefined {
  const socket = request.socket;
  if (!(socket instanceof TLSSocket) || !socket.authorized) return undefined;
  const peer = socket.getPeerCertificate();
  const commonName = peer?.subject?.CN;
  // Several CNs (an array) name no single charge point: '' matches no id.
  return { commonName: typeof commonName === 'string' ? commonName : '', serialNumber: peer?.serialNumber ?? '' };
}
