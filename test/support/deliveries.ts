import type { ServerResponse } from 'node:http';
import type { NewDelivery } from '../../src/hub/routing/outbox';
import type { TestNetwork } from './network';
import type { RecordedRequest, TestPartner } from './partner';

export interface LocationPushOptions {
  method?: NewDelivery['method'];
  version?: string;
  /** `{id}` when not given; given as undefined, no body (a DELETE). */
  body?: unknown;
  headers?: Record<string, string>;
  objectKey?: string;
}

/**
 * A push (a PUT unless told) of a made-up location `objectId` to eMSP `pid` of the network, as a
 * NewDelivery: version v1, body `{id}` and the object id as its outbox key unless told otherwise.
 */
export function locationPut(net: TestNetwork, pid: string, objectId: string, options: LocationPushOptions = {}): NewDelivery {
  const { method = 'PUT', version = 'v1', headers, objectKey = objectId } = options;
  return {
    partyUuid: net.parties[pid].id,
    module: 'locations',
    interfaceRole: 'RECEIVER',
    method,
    path: `/NL/CPO/${objectId}`,
    body: 'body' in options ? options.body : { id: objectId },
    ...(headers ? { headers } : {}),
    objectKey,
    objectVersion: version,
  };
}

/** The routing headers of a broadcast from the hub to eMSP `pid` (NL), with a correlation id. */
export function fromHubTo(pid: string, correlationId: string): Record<string, string> {
  return { 'OCPI-from-country-code': 'NL', 'OCPI-from-party-id': 'HUB', 'OCPI-to-country-code': 'NL', 'OCPI-to-party-id': pid, 'X-Correlation-ID': correlationId };
}

/** The partner answers every locations push with `answer` (which writes the response); other requests as usual. */
export function onLocationPushes(partner: TestPartner, answer: (req: RecordedRequest, res: ServerResponse) => void): void {
  partner.intercept = (req, res) => {
    if (!req.path.includes('/locations/')) return false;
    answer(req, res);
    return true;
  };
}

/** An OCPI response with HTTP 200 and this status code (and message). */
export function answerOcpi(res: ServerResponse, statusCode: number, statusMessage?: string): void {
  res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ status_code: statusCode, ...(statusMessage ? { status_message: statusMessage } : {}), timestamp: new Date().toISOString() }));
}
