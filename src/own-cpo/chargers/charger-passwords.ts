import { createHmac, randomBytes, scrypt as scryptCallback, type ScryptOptions, timingSafeEqual } from 'node:crypto';

// A charger password is chosen by people (or copied from a label), unlike the hub's 256-bit tokens,
// so a plain digest is not enough: scrypt with a per-charger salt makes a leaked table expensive to try.
const COST = { N: 16384, r: 8, p: 1 } as const;
const KEY_BYTES = 32;

function scrypt(password: Buffer, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scryptCallback(password, salt, KEY_BYTES, options, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

const asBuffer = (password: Buffer | string) => (typeof password === 'string' ? Buffer.from(password, 'utf8') : password);

/** `scrypt$N$r$p$salt$key` (Base64): the parameters travel with the hash, so they can change later. */
export async function hashChargerPassword(password: Buffer | string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(asBuffer(password), salt, COST);
  return ['scrypt', COST.N, COST.r, COST.p, salt.toString('base64'), key.toString('base64')].join('$');
}

/**
 * `sha256$salt$key` (HMAC-SHA-256 keyed with the salt), for passwords the hub generated itself
 * (generateChargerPassword: 160 random bits). Key stretching only helps secrets people choose: trying
 * 2^160 passwords is out of reach at any hash speed, so scrypt would only make every connection of such
 * a charger cost tens of milliseconds of CPU (minutes for a fleet reconnecting at once). Passwords an
 * operator gives are always hashed with scrypt.
 */
export function hashGeneratedChargerPassword(password: string): string {
  const salt = randomBytes(16);
  return ['sha256', salt.toString('base64'), createHmac('sha256', salt).update(asBuffer(password)).digest('base64')].join('$');
}

/** Constant-time check of a password (OCPP allows binary ones, hence the Buffer) against a stored hash. */
export async function verifyChargerPassword(password: Buffer | string, stored: string): Promise<boolean> {
  if (stored.startsWith('sha256$')) {
    const [, salt, key] = stored.split('$');
    const expected = Buffer.from(key ?? '', 'base64');
    const actual = createHmac('sha256', Buffer.from(salt, 'base64')).update(asBuffer(password)).digest();
    return expected.length === actual.length && timingSafeEqual(actual, expected);
  }
  const [scheme, N, r, p, salt, key] = stored.split('$');
  if (scheme !== 'scrypt' || !key) return false;
  const expected = Buffer.from(key, 'base64');
  const actual = await scrypt(asBuffer(password), Buffer.from(salt, 'base64'), { N: Number(N), r: Number(r), p: Number(p) });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/**
 * 40 hexadecimal characters (160 bits): the longest password both protocols take — OCPP 2.0.1
 * BasicAuthPassword is 16 to 40 characters, and the 1.6 security white paper's AuthorizationKey is
 * 20 bytes written as 40 hexadecimal characters.
 */
export function generateChargerPassword(): string {
  return randomBytes(20).toString('hex');
}

/** A hash no password matches, verified against when the charger is unknown so both paths take as long. */
export const UNMATCHABLE_PASSWORD_HASH = `scrypt$${COST.N}$${COST.r}$${COST.p}$${randomBytes(16).toString('base64')}$${Buffer.alloc(KEY_BYTES).toString('base64')}`;
