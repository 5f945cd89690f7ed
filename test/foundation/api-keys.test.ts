import { createHash } from 'node:crypto';
import { bearerKeyOf, hashApiKey, newApiKey } from '../../src/foundation/api-keys';

describe('the shared key helper (finance, EMS and fleet keys)', () => {
  it('makes keys of a kind: the prefix, then 192 random bits in base64url', () => {
    const a = newApiKey('flt_');
    const b = newApiKey('flt_');
    expect(a).toMatch(/^flt_[A-Za-z0-9_-]{32}$/);
    expect(a).not.toBe(b);
  });

  it('stores the SHA-256 in hex, the digest the keys issued before it were stored with', () => {
    expect(hashApiKey('fin_abc')).toBe(createHash('sha256').update('fin_abc', 'utf8').digest('hex'));
    expect(hashApiKey('fin_abc')).not.toBe(hashApiKey('fin_abd'));
  });

  it('reads a bearer key of its kind only', () => {
    expect(bearerKeyOf('Bearer flt_x1', 'flt_')).toBe('flt_x1');
    expect(bearerKeyOf('Bearer fin_x1', 'flt_')).toBeNull();
    expect(bearerKeyOf('Token flt_x1', 'flt_')).toBeNull();
    expect(bearerKeyOf('Bearer flt_x1 extra', 'flt_')).toBeNull();
    expect(bearerKeyOf(undefined, 'flt_')).toBeNull();
  });
});
