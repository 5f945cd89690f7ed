import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';

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
 */
export function createOcppTlsServer(files: { keyFile: string; certFile: string }): Server {
  const key = readPem(files.keyFile, 'OCPP_TLS_KEY');
  const cert = readPem(files.certFile, 'OCPP_TLS_CERT');
  try {
    return createServer({ key, cert, minVersion: 'TLSv1.2' }, (_request, response) => {
      response.writeHead(426, { Upgrade: 'websocket', 'Content-Type': 'text/plain' });
      response.end('Charge points connect here with a WebSocket upgrade to /ocpp/<charge point id>\n');
    });
  } catch (error) {
    throw new Error(`OCPP_TLS_KEY / OCPP_TLS_CERT: not a usable key and certificate (${(error as Error).message})`);
  }
}
