import { OutboundAddressPolicy, parseCidr, parseIp } from '../../src/foundation/outbound-address-policy';

const verdicts = (policy: OutboundAddressPolicy, addresses: string[]) =>
  Object.fromEntries(addresses.map((a) => [a, policy.verdict(a).allowed]));

describe('the outbound address policy (SSRF guard)', () => {
  it('reads IPv4, IPv6 (compressed, mapped) and CIDR ranges', () => {
    expect(parseIp('10.1.2.3')).toEqual({ family: 4, value: 0x0a010203n });
    expect(parseIp('::1')).toEqual({ family: 6, value: 1n });
    expect(parseIp('fe80::1:2')).toEqual({ family: 6, value: (0xfe80n << 112n) | (1n << 16n) | 2n });
    expect(parseIp('::ffff:127.0.0.1')).toEqual({ family: 6, value: (0xffffn << 32n) | 0x7f000001n });
    expect(parseIp('1:2:3:4:5:6:7:8')?.value).toBe(0x00010002000300040005000600070008n);
    expect(parseIp('example.com')).toBeUndefined();
    expect(parseCidr('10.0.0.0/8')).toMatchObject({ family: 4, prefix: 8 });
    expect(parseCidr('203.0.113.7')).toMatchObject({ family: 4, prefix: 32 });
    expect(parseCidr('fd00::/8')).toMatchObject({ family: 6, prefix: 8 });
    for (const bad of ['10.0.0.0/33', '10.0.0/8', 'fd00::/129', 'x/1', '10.0.0.0/8/1', '10.0.0.0/', '10.0.0.0/-1']) {
      expect(() => parseCidr(bad)).toThrow(/is not an IP address or CIDR range/);
    }
  });

  it('refuses every internal range by default and allows public addresses', () => {
    const policy = new OutboundAddressPolicy();
    expect(
      verdicts(policy, [
        '127.0.0.1', '127.255.255.254', '10.0.0.1', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254',
        '0.0.0.0', '100.64.0.1', '224.0.0.1', '255.255.255.255', '::1', '::', 'fd00::1', 'fc00::1', 'fe80::1', 'ff02::1',
        '::ffff:127.0.0.1', '::ffff:169.254.169.254', '::ffff:10.0.0.1', '64:ff9b::a9fe:a9fe', '2002:7f00:1::1',
      ]),
    ).toEqual(
      Object.fromEntries(
        ['127.0.0.1', '127.255.255.254', '10.0.0.1', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254',
          '0.0.0.0', '100.64.0.1', '224.0.0.1', '255.255.255.255', '::1', '::', 'fd00::1', 'fc00::1', 'fe80::1', 'ff02::1',
          '::ffff:127.0.0.1', '::ffff:169.254.169.254', '::ffff:10.0.0.1', '64:ff9b::a9fe:a9fe', '2002:7f00:1::1'].map((a) => [a, false]),
      ),
    );
    expect(verdicts(policy, ['8.8.8.8', '172.32.0.1', '172.15.255.255', '2001:4860:4860::8888', '::ffff:8.8.8.8', '64:ff9b::808:808'])).toEqual({
      '8.8.8.8': true, '172.32.0.1': true, '172.15.255.255': true, '2001:4860:4860::8888': true, '::ffff:8.8.8.8': true, '64:ff9b::808:808': true,
    });
  });

  it('names the reason and the setting that would allow it', () => {
    const policy = new OutboundAddressPolicy();
    expect(policy.verdict('127.0.0.1')).toEqual({
      allowed: false,
      reason: '127.0.0.1 is a loopback address; allowed only with OUTBOUND_ALLOW_PRIVATE=true (tests, local demos) or in OUTBOUND_ALLOW',
    });
    expect(policy.verdict('169.254.169.254')).toEqual({
      allowed: false,
      reason: '169.254.169.254 is a link-local address (169.254.0.0/16, where cloud metadata services answer); allowed only when listed in OUTBOUND_ALLOW',
    });
    expect(policy.verdict('::ffff:a9fe:a9fe')).toMatchObject({ reason: expect.stringMatching(/^::ffff:a9fe:a9fe \(169\.254\.169\.254\) is a link-local address/) });
  });

  it('test mode (allowPrivate) opens loopback, RFC 1918 and unique-local, never link-local or metadata', () => {
    const policy = new OutboundAddressPolicy({ allowPrivate: true });
    expect(verdicts(policy, ['127.0.0.1', '10.1.1.1', '192.168.0.5', '::1', 'fd12::1', '::ffff:127.0.0.1', '169.254.169.254', 'fe80::1', '0.0.0.0', '100.64.0.1'])).toEqual({
      '127.0.0.1': true, '10.1.1.1': true, '192.168.0.5': true, '::1': true, 'fd12::1': true, '::ffff:127.0.0.1': true,
      '169.254.169.254': false, 'fe80::1': false, '0.0.0.0': false, '100.64.0.1': false,
    });
  });

  it('OUTBOUND_ALLOW opens a refused range; OUTBOUND_DENY closes anything and wins over ALLOW', () => {
    const policy = new OutboundAddressPolicy({ allow: ['169.254.169.254', '10.20.0.0/16'], deny: ['10.20.30.0/24', '8.8.8.0/24', '2001:db9::/32'] });
    expect(verdicts(policy, ['169.254.169.254', '169.254.169.253', '10.20.1.1', '10.20.30.1', '10.21.0.1', '8.8.8.8', '8.8.4.4', '2001:db9::1'])).toEqual({
      '169.254.169.254': true, '169.254.169.253': false, '10.20.1.1': true, '10.20.30.1': false, '10.21.0.1': false,
      '8.8.8.8': false, '8.8.4.4': true, '2001:db9::1': false,
    });
    expect(policy.verdict('8.8.8.8')).toEqual({ allowed: false, reason: '8.8.8.8 is in OUTBOUND_DENY (8.8.8.0/24)' });
    // An IPv4 range in OUTBOUND_DENY also covers the mapped IPv6 spelling of its addresses.
    expect(policy.verdict('::ffff:8.8.8.8').allowed).toBe(false);
  });

  it('does not take a host name as an address', () => {
    expect(new OutboundAddressPolicy({ allowPrivate: true }).verdict('localhost')).toEqual({ allowed: false, reason: 'localhost is not an IP address' });
  });
});
