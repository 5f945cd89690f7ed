import { randomBytes } from 'node:crypto';
import { generateCredentialsToken, hashToken, TokenVault } from '../../../src/hub/routing/credential-secrets';
import { CREDENTIALS_TOKEN_PATTERN } from '../../../src/hub/ocpi/credentials-token';

describe('credential secrets', () => {
  it('makes unique tokens within the OCPI token alphabet and length', () => {
    const tokens = new Set(Array.from({ length: 200 }, generateCredentialsToken));
    expect(tokens.size).toBe(200);
    for (const token of tokens) expect(token).toMatch(CREDENTIALS_TOKEN_PATTERN);
  });

  it('hashes deterministically without revealing the token', () => {
    expect(hashToken('abc')).toBe(hashToken('abc'));
    expect(hashToken('abc')).not.toContain('abc');
    expect(hashToken('abc')).toHaveLength(64);
  });

  it('encrypts token B so only the key opens it, and detects tampering', () => {
    const vault = new TokenVault(randomBytes(32).toString('hex'));
    const sealed = vault.seal('partner-token-b');
    expect(sealed).not.toContain('partner-token-b');
    expect(vault.seal('partner-token-b')).not.toBe(sealed);
    expect(vault.open(sealed)).toBe('partner-token-b');
    expect(() => new TokenVault(randomBytes(32).toString('hex')).open(sealed)).toThrow();
    const parts = sealed.split('.');
    parts[3] = Buffer.from('tampered').toString('base64url');
    expect(() => vault.open(parts.join('.'))).toThrow();
    expect(() => new TokenVault('abcd')).toThrow(/32 bytes/);
  });
});
