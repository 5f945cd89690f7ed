import type { ServerResponse } from 'node:http';
import type { NewDelivery } from '../../src/hub/routing/outbox';
import type { TestNetwork } from './network';
import type { RecordedRequest, TestPartner } from './partner';

/**
 * A PUT of a made-up location `objectId` to eMSP `pid` of the network, as a NewDelivery: version v1,
 * body `{id}` and the object id as its outbox key unless told otherwise.
 */
export function locationPut(
  net: TestNetwork,
  pid: string,
  objectId: string,
  { version = 'v1', body = { id: objectId }, headers, objectKey = objectId }: { version?: string; body?: unknown; headers?: Record<string, string>; objectKey?: string } = {},
): NewDelivery {
  return {
    partyUuid: net.parties[pid].id,
    module: 'locations',
    interfaceRole: 'RECEIVER',
    method: 'PUT',
    path: `/NL/CPO/${objectId}`,
    body,
    ...(headers ? { headers } : {}),
    objectKey,
    objectVersion: version,
  };
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
