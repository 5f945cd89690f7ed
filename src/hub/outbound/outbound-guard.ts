import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions } from 'node:dns';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { OutboundAddressPolicy, type OutboundAddressPolicyOptions } from '../../foundation/outbound-address-policy';

/** Thrown (and passed through the socket) when the policy refuses a URL; `code` lets axios errors be told apart. */
export class OutboundRefusedError extends Error {
  readonly code = 'ERR_OUTBOUND_REFUSED';

  constructor(reason: string) {
    super(reason);
    this.name = 'OutboundRefusedError';
  }
}

/** Resolves a name to all its addresses (dns.lookup with `all`, the system resolver). */
export type ResolveAll = (hostname: string, options: LookupAllOptions, callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void) => void;

export interface OutboundGuardOptions extends OutboundAddressPolicyOptions {
  /** Another resolver than the system's (tests that change a name's addresses between calls). */
  resolveAll?: ResolveAll;
}

/** The host of a URL as an address or name: `[::1]` without brackets. */
function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

/**
 * The SSRF guard of every call the hub makes to a partner. Host names are resolved once, every
 * address is checked, and the socket connects to exactly the checked addresses (the agents' `lookup`),
 * so a DNS answer that changes between check and connect (DNS rebinding) cannot slip through.
 * Address literals never reach a `lookup`, so `checkUrl` checks them before the request.
 */
export class OutboundGuard {
  readonly policy: OutboundAddressPolicy;
  readonly httpAgent: HttpAgent;
  readonly httpsAgent: HttpsAgent;

  private readonly resolveAll: ResolveAll;

  constructor(options: OutboundGuardOptions) {
    this.policy = new OutboundAddressPolicy(options);
    this.resolveAll = options.resolveAll ?? ((hostname, lookupOptions, callback) => dnsLookup(hostname, lookupOptions, callback));
    // Keep-alive with the checking lookup. Idle sockets are closed after 4 s, before a partner's server
    // closes them (Node's and Apache's default is 5 s): a request sent as the server closes gets ECONNRESET.
    const agentOptions = { keepAlive: true, scheduling: 'lifo' as const, timeout: 4000, lookup: this.lookup };
    this.httpAgent = new HttpAgent(agentOptions);
    this.httpsAgent = new HttpsAgent(agentOptions);
  }

  /**
   * What the client checks before every request: an http(s) URL, and an address literal the policy
   * allows. Host names are checked at connect time, in `lookup`.
   */
  checkUrl(target: string): URL {
    let url: URL;
    try {
      url = new URL(target);
    } catch {
      throw new OutboundRefusedError(`"${target.slice(0, 200)}" is not a URL`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new OutboundRefusedError(`${url.protocol} URLs are not called; only http and https`);
    }
    const host = hostOf(url);
    if (isIP(host)) this.assertAllowed(host);
    return url;
  }

  /**
   * Resolves a URL's host and checks every address: the early, readable refusal at registration or
   * when a response_url is given (the connection is checked again when it is made).
   */
  async assertReachable(target: string): Promise<void> {
    const url = this.checkUrl(target);
    const host = hostOf(url);
    if (isIP(host)) return;
    const addresses = await new Promise<LookupAddress[]>((resolve, reject) =>
      this.resolveAll(host, { all: true }, (error, found) => (error ? reject(error) : resolve(found))),
    ).catch((error: NodeJS.ErrnoException) => {
      throw new OutboundRefusedError(`${host} does not resolve (${error.code ?? error.message})`);
    });
    for (const { address } of addresses) this.assertAllowed(address, host);
  }

  private assertAllowed(address: string, host?: string): void {
    const verdict = this.policy.verdict(address);
    if (!verdict.allowed) throw new OutboundRefusedError(host ? `${host} resolves to ${verdict.reason}` : verdict.reason);
  }

  /**
   * net's `lookup` hook: resolves the name once and hands the socket only checked addresses. Every
   * address must pass; one refused address refuses the name, since a later connection (or the
   * happy-eyeballs fallback) might use it.
   */
  private readonly lookup: LookupFunction = (hostname, options, callback) => {
    this.resolveAll(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 0);
      for (const { address } of addresses) {
        const verdict = this.policy.verdict(address);
        if (!verdict.allowed) return callback(new OutboundRefusedError(`${hostname} resolves to ${verdict.reason}`), '', 0);
      }
      if (addresses.length === 0) {
        return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '', 0);
      }
      if ((options as { all?: boolean }).all) (callback as unknown as (e: null, all: LookupAddress[]) => void)(null, addresses);
      else callback(null, addresses[0].address, addresses[0].family);
    });
  };

  /** Ends the agents' idle keep-alive sockets (shutdown, tests). */
  destroy(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}
