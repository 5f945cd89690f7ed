import { z } from 'zod';

/**
 * OCPI 2.3.0 base types (types.asciidoc) as zod schemas. Every class is a loose object: "An OCPI
 * Platform SHALL NOT reject request or response payloads based on the presence of JSON object field
 * names that are not documented in this specification" (transport_and_format.asciidoc, Non-specified
 * JSON fields), so fields the text does not name pass through unchanged, never stripped.
 *
 * Core cannot import the hub's 2.2.1 schemas (core is the lowest floor), so the few base types both
 * versions share are written out again here, from the 2.3.0 text.
 */

// RFC 3339; OCPI DateTimes are UTC, a missing offset is read as UTC (types.asciidoc, DateTime).
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})?$/i;
export const DateTimeV230 = z
  .string()
  .regex(DATE_TIME, 'must be an RFC 3339 date-time')
  .refine((v) => !Number.isNaN(Date.parse(/(?:Z|[+-]\d{2}:\d{2})$/i.test(v) ? v : `${v}Z`)), 'must be a real date-time');

/** CiString(n): printable ASCII, compared case-insensitively. */
export const CiStringV230 = (max: number) => z.string().min(1).max(max).regex(/^[\x20-\x7e]*$/, 'must be printable ASCII');
/** string(n): printable UTF-8. */
export const StringV230 = (max: number) => z.string().max(max);
export const UrlV230 = z.string().url().max(255);
export const CountryCodeV230 = z.string().regex(/^[A-Za-z]{2}$/, 'must be a 2-letter country code');
export const PartyIdV230 = z.string().regex(/^[A-Za-z0-9]{3}$/, 'must be 3 letters or digits');
export const NumberV230 = z.number().finite();

/**
 * OpenEnum (types.asciidoc): "the set of all possible values is not known at the time of writing",
 * implementers may use other values. Any non-empty string is accepted; the known values are listed
 * beside each use so translations can tell a known value from a custom one.
 */
export const OpenEnumV230 = z.string().min(1).max(255);

export const DisplayTextV230 = z.looseObject({ language: z.string().min(2).max(2), text: StringV230(512) });

/** TaxAmount class (types.asciidoc, new in 2.3.0). */
export const TaxAmountV230 = z.looseObject({
  name: z.string().min(1),
  account_number: z.string().optional(),
  percentage: NumberV230.optional(),
  amount: NumberV230,
});

/** Price class (types.asciidoc): before_taxes plus the tax lines relevant to the receiver. */
export const PriceV230 = z.looseObject({
  before_taxes: NumberV230,
  taxes: z.array(TaxAmountV230).optional(),
});

/** Role enum (types.asciidoc): HUB is gone in 2.3.0. A closed enum. */
export const ROLES_V230 = ['CPO', 'EMSP', 'NAP', 'NSP', 'OTHER', 'SCSP'] as const;
export const RoleV230 = z.enum(ROLES_V230);

export const GeoLocationV230 = z.looseObject({
  latitude: z.string().max(10).regex(/^-?[0-9]{1,2}\.[0-9]{5,7}$/, 'must be like 51.047599'),
  longitude: z.string().max(11).regex(/^-?[0-9]{1,3}\.[0-9]{5,7}$/, 'must be like 3.729944'),
});

/** ImageCategory is an OpenEnum in 2.3.0. */
export const IMAGE_CATEGORIES_V230 = ['CHARGER', 'ENTRANCE', 'LOCATION', 'NETWORK', 'OPERATOR', 'OTHER', 'OWNER'] as const;
export const ImageV230 = z.looseObject({
  url: UrlV230,
  thumbnail: UrlV230.optional(),
  category: OpenEnumV230,
  type: CiStringV230(4),
  width: z.number().int().min(0).max(99999).optional(),
  height: z.number().int().min(0).max(99999).optional(),
});

export const BusinessDetailsV230 = z.looseObject({ name: StringV230(100), website: UrlV230.optional(), logo: ImageV230.optional() });

/** TokenType is an OpenEnum in 2.3.0 and adds EMAID (mod_tokens.asciidoc). */
export const TOKEN_TYPES_V230 = ['AD_HOC_USER', 'APP_USER', 'EMAID', 'OTHER', 'RFID'] as const;
export const TokenTypeV230 = OpenEnumV230;

export const CdrTokenV230 = z.looseObject({
  country_code: CountryCodeV230,
  party_id: PartyIdV230,
  uid: CiStringV230(36),
  type: TokenTypeV230,
  contract_id: CiStringV230(36),
});

export const AuthMethodV230 = z.enum(['AUTH_REQUEST', 'COMMAND', 'WHITELIST']);

export const CDR_DIMENSION_TYPES_V230 = [
  'CURRENT', 'ENERGY', 'ENERGY_EXPORT', 'ENERGY_IMPORT', 'MAX_CURRENT', 'MIN_CURRENT', 'MAX_POWER', 'MIN_POWER', 'PARKING_TIME', 'POWER',
  'RESERVATION_TIME', 'STATE_OF_CHARGE', 'TIME',
] as const;
export const CdrDimensionV230 = z.looseObject({ type: z.enum(CDR_DIMENSION_TYPES_V230), volume: NumberV230 });

export const ChargingPeriodV230 = z.looseObject({
  start_date_time: DateTimeV230,
  dimensions: z.array(CdrDimensionV230).min(1),
  tariff_id: CiStringV230(36).optional(),
});

/** The fields every client-owned object names its owner and identity with. */
export const OwnershipV230 = { country_code: CountryCodeV230, party_id: PartyIdV230, last_updated: DateTimeV230 };

export type PriceV230 = z.infer<typeof PriceV230>;
export type TaxAmountV230 = z.infer<typeof TaxAmountV230>;
