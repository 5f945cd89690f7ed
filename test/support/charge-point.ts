import { RPCClient } from 'ocpp-rpc';
import type { RPC_ClientOptions } from 'ocpp-rpc/lib/client';
import type { TestHub } from './test-hub';
import { ocpp21Validator } from '../../src/own-cpo/ocpp/ocpp21-schemas';

export interface ChargePointOptions {
  id: string;
  password?: string;
  protocol: 'ocpp1.6' | 'ocpp2.0.1' | 'ocpp2.1';
  /** Further subprotocols offered after `protocol` (the hub picks the newest it speaks). */
  alsoOffer?: string[];
  /** Validate what it sends and receives against the protocol schemas (default true); off to send invalid calls. */
  strict?: boolean;
  /** Never answer the hub's WebSocket pings, like many real chargers. */
  ignorePings?: boolean;
  /** Another endpoint than the test hub's plain one (the TLS listener). */
  endpoint?: string;
  wsOpts?: Record<string, unknown>;
}

/** A charge point: a real ocpp-rpc client, not connected yet, that never reconnects on its own. */
export function chargePoint(hub: Pick<TestHub, 'ocppUrl'>, options: ChargePointOptions): RPCClient {
  // ocpp-rpc's typings declare every option required; the client fills in defaults for the others.
  return new RPCClient({
    endpoint: options.endpoint ?? hub.ocppUrl,
    identity: options.id,
    password: options.password ?? null,
    protocols: [options.protocol, ...(options.alsoOffer ?? [])],
    strictMode: options.strict ?? true,
    // ocpp-rpc's own 2.1 validator finds none of its 2.1 schemas (src/own-cpo/ocpp/ocpp21-schemas.ts).
    strictModeValidators: [ocpp21Validator()],
    reconnect: false,
    wsOpts: { ...(options.ignorePings && { autoPong: false }), ...options.wsOpts },
  } as RPC_ClientOptions);
}

/** A connected charge point. */
export async function connectChargePoint(hub: Pick<TestHub, 'ocppUrl'>, options: ChargePointOptions): Promise<RPCClient> {
  const client = chargePoint(hub, options);
  await client.connect();
  return client;
}

/** The HTTP status the hub refused a connection with (fails if it was accepted). */
export async function refusedWith(hub: Pick<TestHub, 'ocppUrl'>, options: ChargePointOptions): Promise<number> {
  const client = chargePoint(hub, options);
  try {
    await client.connect();
  } catch (error) {
    return (error as { code: number }).code;
  }
  await client.close();
  throw new Error(`${options.id} was accepted`);
}

/** The RPC error code a call was answered with (fails if it succeeded). */
export async function callErrorOf(client: RPCClient, action: string, params: unknown): Promise<string> {
  try {
    await client.call(action, params);
  } catch (error) {
    return (error as { rpcErrorCode?: string }).rpcErrorCode ?? `not an RPC error: ${(error as Error).message}`;
  }
  throw new Error(`${action} succeeded`);
}

/** Resolves with the close event of a client's connection. */
export function closed(client: RPCClient): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => client.once('close', resolve));
}
