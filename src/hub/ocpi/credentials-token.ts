import type { TokenEncoding } from '../../db/entities';

/** A credentials token may hold only printable non-whitespace ASCII, at most 64 characters (credentials.asciidoc). */
export const CREDENTIALS_TOKEN_PATTERN = /^[\x21-\x7e]{1,64}$/;

const BASE64_PATTERN = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export interface TokenCandidate {
  token: string;
  encoding: TokenEncoding;
}

/**
 * The tokens an `Authorization: Token …` header may carry. OCPI 2.2.1 says Base64, but many 2.1.1/2.2
 * peers send the raw token (transport_and_format.asciidoc, NOTE on encoding), so both readings are
 * returned, Base64 first; the caller looks up which one is a known token and remembers that form.
 * The spec's own example encodes a trailing newline (`echo` without -n), so one is tolerated.
 */
export function parseAuthorizationHeader(header: string | undefined): TokenCandidate[] {
  const match = /^Token ([\x21-\x7e]{1,200})$/i.exec(header?.trim() ?? '');
  if (!match) return [];
  const value = match[1];
  const candidates: TokenCandidate[] = [];
  if (BASE64_PATTERN.test(value)) {
    const decoded = Buffer.from(value, 'base64').toString('utf8').replace(/\r?\n$/, '');
    if (CREDENTIALS_TOKEN_PATTERN.test(decoded)) candidates.push({ token: decoded, encoding: 'base64' });
  }
  if (CREDENTIALS_TOKEN_PATTERN.test(value)) candidates.push({ token: value, encoding: 'raw' });
  return candidates;
}

/** The header value for calling a peer that reads tokens in the given form. */
export function authorizationHeader(token: string, encoding: TokenEncoding): string {
  return `Token ${encoding === 'base64' ? Buffer.from(token, 'utf8').toString('base64') : token}`;
}
