import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/** A new credentials token: 256 random bits, base64url (printable ASCII, 43 characters, within OCPI's 64). */
export function generateCredentialsToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Tokens the hub only verifies (token A, token C) are stored as SHA-256: they are 256-bit random
 * values, so a plain digest cannot be reversed and a database dump hands out no working credentials.
 */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * Encrypts tokens the hub must send back (token B, used to call partners) with AES-256-GCM.
 * Sealed form: `v1.<iv>.<tag>.<ciphertext>` in base64url, so the key can be rotated by version later.
 */
export class TokenVault {
  private readonly key: Buffer;

  constructor(keyHex: string) {
    this.key = Buffer.from(keyHex, 'hex');
    if (this.key.length !== 32) throw new Error('The token encryption key must be 32 bytes (64 hex characters)');
  }

  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const ciphertext = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return ['v1', iv, cipher.getAuthTag(), ciphertext].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
  }

  open(sealed: string): string {
    const [version, iv, tag, ciphertext] = sealed.split('.');
    if (version !== 'v1' || !iv || !tag || ciphertext === undefined) throw new Error('Unknown sealed token format');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
  }
}
