// `ws` comes with ocpp-rpc and is used only by tests (raw frames no RPC client would send); it ships
// no types, so here is the little of its API the tests use.
declare module 'ws' {
  import { EventEmitter } from 'node:events';

  export default class WebSocket extends EventEmitter {
    constructor(address: string, protocols?: string | string[], options?: { headers?: Record<string, string> });
    send(data: string | Buffer): void;
    close(code?: number, reason?: string): void;
    on(event: 'message', listener: (data: Buffer) => void): this;
    on(event: string, listener: (...args: unknown[]) => void): this;
  }
}
