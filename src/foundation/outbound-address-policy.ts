import { isIP } from 'node:net';

/**
 * Which IP addresses the hub may call. Partners choose the URLs the hub calls (their versions URL,
 * endpoints, response_url), so without a policy a partner could make the hub reach its own
 * database, admin API or the cloud metadata service. Pure: addresses in, verdict out.
 */

export interface Cidr {
  family: 4 | 6;
  network: bigint;
  prefix: number;
  text: string;
}

interface Address {
  family: 4 | 6;
  value: bigint;
}

/** Reads an IPv4 or IPv6 address ("::ffff:1.2.3.4" included); undefined when it is not one. */
export function parseIp(text: string): Address | undefined {
  const family = isIP(text);
  if (family === 4) {
    return { family: 4, value: text.split('.').reduce((v, part) => (v << 8n) | BigInt(Number(part)), 0n) };
  }
  if (family !== 6) return undefined;
  let head = text;
  const tail: number[] = [];
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const value = parseIp(v4[1])!.value;
    tail.push(Number(value >> 16n), Number(value & 0xffffn));
    head = text.slice(0, -v4[1].length);
    if (head.endsWith(':') && !head.endsWith('::')) head = head.slice(0, -1);
  }
  const [left, right] = head.includes('::') ? head.split('::') : [head, undefined];
  const groups = (s: string | undefined) => (s ? s.split(':').filter((g) => g !== '').map((g) => parseInt(g, 16)) : []);
  const leftGroups = groups(left);
  const rightGroups = [...groups(right), ...tail];
  const zeros = right === undefined ? [] : new Array(8 - leftGroups.length - rightGroups.length).fill(0);
  const all = right === undefined ? [...leftGroups, ...tail] : [...leftGroups, ...zeros, ...rightGroups];
  return { family: 6, value: all.reduce((v, g) => (v << 16n) | BigInt(g), 0n) };
}

/** Reads `10.0.0.0/8`, `fd00::/8` or a single address (`/32`, `/128`); throws a sentence when it is not one. */
export function parseCidr(text: string): Cidr {
  const [ip, prefixText, extra] = text.trim().split('/');
  const address = parseIp(ip);
  const bits = address?.family === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? bits : Number(prefixText);
  if (!address || extra !== undefined || (prefixText !== undefined && !/^\d+$/.test(prefixText)) || !Number.isInteger(prefix) || prefix < 0 || prefix > bits) {
    throw new Error(`"${text}" is not an IP address or CIDR range (e.g. 10.0.0.0/8, fd00::/8, 203.0.113.7)`);
  }
  const mask = prefix === 0 ? 0n : ((1n << BigInt(prefix)) - 1n) << BigInt(bits - prefix);
  return { family: address.family, network: address.value & mask, prefix, text: text.trim() };
}

function contains(cidr: Cidr, address: Address): boolean {
  if (cidr.family !== address.family) return false;
  const bits = cidr.family === 4 ? 32 : 128;
  return address.value >> BigInt(bits - cidr.prefix) === cidr.network >> BigInt(bits - cidr.prefix);
}

/** A range the hub refuses unless the operator allows it. `private` ranges are allowed in test mode. */
interface RefusedRange {
  cidr: Cidr;
  what: string;
  private?: boolean;
}

const range = (cidr: string, what: string, isPrivate = false): RefusedRange => ({ cidr: parseCidr(cidr), what, private: isPrivate });

/** Special-purpose ranges (IANA IPv4/IPv6 special-purpose address registries) no partner lives in. */
export const REFUSED_RANGES: readonly RefusedRange[] = [
  range('127.0.0.0/8', 'a loopback address', true),
  range('10.0.0.0/8', 'a private address (RFC 1918)', true),
  range('172.16.0.0/12', 'a private address (RFC 1918)', true),
  range('192.168.0.0/16', 'a private address (RFC 1918)', true),
  range('0.0.0.0/8', 'a "this network" address (0.0.0.0/8)'),
  range('100.64.0.0/10', 'a carrier-grade NAT address (RFC 6598)'),
  range('169.254.0.0/16', 'a link-local address (169.254.0.0/16, where cloud metadata services answer)'),
  range('192.0.0.0/24', 'an IETF protocol assignment address'),
  range('192.0.2.0/24', 'a documentation address (TEST-NET-1)'),
  range('198.18.0.0/15', 'a benchmarking address (RFC 2544)'),
  range('198.51.100.0/24', 'a documentation address (TEST-NET-2)'),
  range('203.0.113.0/24', 'a documentation address (TEST-NET-3)'),
  range('224.0.0.0/4', 'a multicast address'),
  range('240.0.0.0/4', 'a reserved address (240.0.0.0/4, broadcast included)'),
  range('::1/128', 'a loopback address', true),
  range('fc00::/7', 'a unique-local address (fc00::/7)', true),
  range('::/128', 'the unspecified address'),
  range('fe80::/10', 'a link-local address (fe80::/10)'),
  range('fec0::/10', 'a site-local address (fec0::/10)'),
  range('ff00::/8', 'a multicast address'),
  range('100::/64', 'a discard-only address (RFC 6666)'),
  range('2001:db8::/32', 'a documentation address (2001:db8::/32)'),
  range('64:ff9b:1::/48', 'a local-use NAT64 address (RFC 8215)'),
  range('::/96', 'an IPv4-compatible IPv6 address (deprecated)'),
];

/** IPv6 forms that carry an IPv4 address the packet may end up at. */
const MAPPED = parseCidr('::ffff:0:0/96');
const EMBEDDING = [parseCidr('64:ff9b::/96'), parseCidr('2002::/16')];

/** The IPv4 address inside an IPv4-mapped, NAT64 (64:ff9b::/96) or 6to4 (2002::/16) IPv6 address. */
function embeddedIpv4(address: Address): Address | undefined {
  if (address.family !== 6) return undefined;
  if (contains(MAPPED, address) || contains(EMBEDDING[0], address)) return { family: 4, value: address.value & 0xffffffffn };
  if (contains(EMBEDDING[1], address)) return { family: 4, value: (address.value >> 80n) & 0xffffffffn };
  return undefined;
}

function format(address: Address): string {
  if (address.family === 4) return [24n, 16n, 8n, 0n].map((shift) => String((address.value >> shift) & 0xffn)).join('.');
  return Array.from({ length: 8 }, (_, i) => ((address.value >> BigInt(112 - 16 * i)) & 0xffffn).toString(16)).join(':');
}

export interface OutboundAddressPolicyOptions {
  /** Ranges always allowed (OUTBOUND_ALLOW), even inside a refused range; OUTBOUND_DENY still wins. */
  allow?: readonly string[];
  /** Ranges always refused (OUTBOUND_DENY), on top of the built-in ones. */
  deny?: readonly string[];
  /** Loopback, RFC 1918 and unique-local addresses allowed: test setups and local demos only. */
  allowPrivate?: boolean;
}

export type AddressVerdict = { allowed: true } | { allowed: false; reason: string };

/**
 * The order: OUTBOUND_DENY refuses, then OUTBOUND_ALLOW allows, then the built-in ranges refuse (the
 * private ones not when allowPrivate is set), and anything else is allowed. An IPv6 address that
 * carries an IPv4 address (mapped, NAT64, 6to4) is judged by both.
 */
export class OutboundAddressPolicy {
  private readonly allow: Cidr[];
  private readonly deny: Cidr[];
  private readonly allowPrivate: boolean;

  constructor(options: OutboundAddressPolicyOptions = {}) {
    this.allow = (options.allow ?? []).map(parseCidr);
    this.deny = (options.deny ?? []).map(parseCidr);
    this.allowPrivate = options.allowPrivate ?? false;
  }

  verdict(ip: string): AddressVerdict {
    const parsed = parseIp(ip);
    if (!parsed) return { allowed: false, reason: `${ip} is not an IP address` };
    const inner = embeddedIpv4(parsed);
    const candidates = inner ? [parsed, inner] : [parsed];
    const shown = inner ? `${ip} (${format(inner)})` : ip;
    for (const address of candidates) {
      const denied = this.deny.find((cidr) => contains(cidr, address));
      if (denied) return { allowed: false, reason: `${shown} is in OUTBOUND_DENY (${denied.text})` };
    }
    if (candidates.some((address) => this.allow.some((cidr) => contains(cidr, address)))) return { allowed: true };
    for (const address of candidates) {
      const refused = REFUSED_RANGES.find((r) => contains(r.cidr, address));
      if (!refused || (refused.private && this.allowPrivate)) continue;
      const hint = refused.private
        ? 'allowed only with OUTBOUND_ALLOW_PRIVATE=true (tests, local demos) or in OUTBOUND_ALLOW'
        : 'allowed only when listed in OUTBOUND_ALLOW';
      return { allowed: false, reason: `${shown} is ${refused.what}; ${hint}` };
    }
    return { allowed: true };
  }
}
