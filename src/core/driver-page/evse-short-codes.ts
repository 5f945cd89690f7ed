/**
 * The short code on an EVSE's sticker (`/c/<code>`): 10 characters of Crockford base32, 50 random bits.
 * Drivers type it when a camera cannot read the QR code, so the alphabet has no I, L, O or U, and what
 * they are likely to type instead (lower case, O for 0, I or L for 1, a dash or space to group) is
 * read as the code it means. 50 bits over a few thousand EVSEs leave a guesser about one hit in 10^11
 * per try; the page shows nothing a passer-by could not read on the charger itself anyway.
 */

/** Crockford's base32 alphabet: digits and letters without I, L, O, U. */
export const SHORT_CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const SHORT_CODE_LENGTH = 10;
/** A short code as stored and printed. */
export const SHORT_CODE = new RegExp(`^[${SHORT_CODE_ALPHABET}]{${SHORT_CODE_LENGTH}}$`);

/** A fresh code from `randomBytes` (node:crypto's in the product; a seeded one in tests). 5 bits per byte, no bias (32 divides 256). */
export function newShortCode(randomBytes: (size: number) => Uint8Array): string {
  return [...randomBytes(SHORT_CODE_LENGTH)].map((b) => SHORT_CODE_ALPHABET[b & 31]).join('');
}

/** What a driver typed (or a URL held) as the code it means, or undefined when it cannot be one. */
export function readShortCode(text: string): string | undefined {
  const code = text
    .toUpperCase()
    .replace(/[\s-]/g, '')
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1');
  return SHORT_CODE.test(code) ? code : undefined;
}

/** The code as printed under the QR code: two groups of five, easier to read out and type. */
export function groupedShortCode(code: string): string {
  return `${code.slice(0, 5)}-${code.slice(5)}`;
}
