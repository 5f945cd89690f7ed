import { z } from 'zod';
import { CdrDimensionType } from '../../core/pricing/pricing-core';
import type { CdrToken as CdrTokenShape } from '../../core/charging/ocpi-records';
import { dateTimeMs, OCPI_DATE_TIME, parseOcpiDateTime } from '../../core/date-time';

/**
 * OCPI 2.2.1 base types (types.asciidoc) as zod schemas. Objects are loose: a field the spec does not
 * name is kept as sent (partners extend objects), but every field it names is checked.
 */

export const DateTime = z
  .string()
  .regex(OCPI_DATE_TIME, 'must be an RFC 3339 date-time')
  .refine((v) => parseOcpiDateTime(v) !== undefined, 'must be a real date-time');

export function toDate(value: string): Date {
  return new Date(dateTimeMs(value));
}

/** CiString(n): printable ASCII, compared case-insensitively. */
export const CiString = (max: number) =>
  z.string().min(1).max(max).regex(/^[\x20-\x7e]*$/, 'must be printable ASCII');
export const OcpiString = (max: number) => z.string().max(max);

/**
 * "." and ".." are printable ASCII, but as a URL path segment they are removed by URL resolution
 * (RFC 3986 5.2.4, also as %2E): an object with such an id could only be delivered to another path.
 */
export const isDotSegment = (id: string) => id === '.' || id === '..';
export const DOT_SEGMENT_MESSAGE = 'must not be "." or ".." (a URL path segment that URLs resolve away)';
/** The id of an object, which the hub places in URLs: a CiString that is not a dot segment. */
export const ObjectId = (max: number) => CiString(max).refine((id) => !isDotSegment(id), DOT_SEGMENT_MESSAGE);
export const CountryCode = z.string().regex(/^[A-Za-z]{2}$/, 'must be a 2-letter country code');
export const PartyId = z.string().regex(/^[A-Za-z0-9]{3}$/, 'must be 3 letters or digits');
export const Url = z.string().url().max(255);
export const Decimal = z.number().finite();

export const DisplayText = z.looseObject({ language: z.string().min(2).max(2), text: z.string().max(512) });

export const Price = z.looseObject({ excl_vat: Decimal, incl_vat: Decimal.optional() });

export const GeoLocation = z.looseObject({
  latitude: z.string().regex(/^-?[0-9]{1,2}\.[0-9]{5,7}$/, 'must be like 51.047599'),
  longitude: z.string().regex(/^-?[0-9]{1,3}\.[0-9]{5,7}$/, 'must be like 3.729944'),
});

export const Image = z.looseObject({
  url: Url,
  thumbnail: Url.optional(),
  category: z.enum(['CHARGER', 'ENTRANCE', 'LOCATION', 'NETWORK', 'OPERATOR', 'OTHER', 'OWNER']),
  type: z.string().max(4),
  width: z.number().int().optional(),
  height: z.number().int().optional(),
});

export const BusinessDetails = z.looseObject({ name: z.string().max(100), website: Url.optional(), logo: Image.optional() });

export const TokenType = z.enum(['AD_HOC_USER', 'APP_USER', 'OTHER', 'RFID']);

export const CdrToken = z.looseObject({
  country_code: CountryCode,
  party_id: PartyId,
  uid: CiString(36),
  type: TokenType,
  contract_id: CiString(36),
}) satisfies z.ZodType<CdrTokenShape>;

export const AuthMethod = z.enum(['AUTH_REQUEST', 'COMMAND', 'WHITELIST']);

export const CdrDimension = z.looseObject({ type: CdrDimensionType, volume: Decimal });

export const ChargingPeriod = z.looseObject({
  start_date_time: DateTime,
  dimensions: z.array(CdrDimension).min(1),
  tariff_id: CiString(36).optional(),
});

/** The fields every client-owned object names its owner and identity with. */
export const Ownership = { country_code: CountryCode, party_id: PartyId, last_updated: DateTime };
