import { createValidator } from 'ocpp-rpc';
import schemas from 'ocpp-rpc/lib/schemas/ocpp2_1.json';

/**
 * Strict mode for OCPP 2.1 from the schemas ocpp-rpc ships. ocpp-rpc looks a message's schema up as
 * `urn:<Action>.req` / `urn:<Action>.conf` (the ids of its 1.6 and 2.0.1 files), but its 2.1 file
 * names them as the OCA publishes them, `urn:<Action>Request` / `urn:<Action>Response`, so its built-in
 * 2.1 validator finds no schema and refuses every call with ProtocolError. The same schemas under the
 * ids ocpp-rpc asks for are the hub's 2.1 validator (the RPC server and the test charge points use it).
 */
export function ocpp21Validator(): ReturnType<typeof createValidator> {
  const renamed = (schemas as { $id: string }[]).map((schema) => ({
    ...(withoutStrayKeywords(schema) as object),
    $id: schema.$id.replace(/Request$/, '.req').replace(/Response$/, '.conf'),
  }));
  return createValidator('ocpp2.1', renamed);
}

/**
 * The 2.1 file also writes `additionalProperties: false` on its enumerations (strings), which means
 * nothing there and makes ajv warn on every schema it compiles: dropped from non-object schemas.
 */
function withoutStrayKeywords(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutStrayKeywords);
  if (!node || typeof node !== 'object') return node;
  const entries = Object.entries(node as Record<string, unknown>);
  const type = (node as { type?: unknown }).type;
  const stray = type !== undefined && type !== 'object';
  return Object.fromEntries(entries.filter(([key]) => !(stray && key === 'additionalProperties')).map(([key, value]) => [key, withoutStrayKeywords(value)]));
}

/** The 2.1 actions ocpp-rpc's file holds, for checks against the handler tables. */
export const OCPP21_ACTIONS: readonly string[] = (schemas as { $id: string }[]).filter((s) => s.$id.endsWith('Request')).map((s) => s.$id.slice(4, -'Request'.length));
