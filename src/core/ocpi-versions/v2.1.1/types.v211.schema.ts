import { z } from 'zod';

/**
 * OCPI 2.1.1 base types (types.md of tag 2.1.1-d2) as zod schemas. Objects are loose, like the 2.2.1
 * ones: a field the text does not name is kept, so a translation can name it in its loss report.
 */

// ISO 8601 combined date and time; "The absence of the timezone designator implies a UTC timestamp".
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})?$/i;
export const DateTimeV211 = z.string().max(25).regex(DATE_TIME, 'must be an ISO 8601 date-time like 2015-06-29T20:39:09Z');

/** string(n): the length limit is checked; free text is not restricted to ASCII (receivers meet it). */
export const StringV211 = (max: number) => z.string().max(max);
/** An identifier: printable ASCII, at least one character. */
export const IdV211 = (max: number) => z.string().min(1).max(max).regex(/^[\x20-\x7e]*$/, 'must be printable ASCII');
export const UrlV211 = z.string().url().max(255);
export const NumberV211 = z.number().finite();

export const DisplayTextV211 = z.looseObject({ language: z.string().length(2), text: StringV211(512) });

/** mod_locations.md 4.12 GeoLocation: six decimals (`-?[0-9]{1,2}\.[0-9]{6}`). */
export const GeoLocationV211 = z.looseObject({
  latitude: z.string().max(10).regex(/^-?[0-9]{1,2}\.[0-9]{6}$/, 'must be like 50.770774'),
  longitude: z.string().max(11).regex(/^-?[0-9]{1,3}\.[0-9]{6}$/, 'must be like -126.104965'),
});

export const ImageCategoryV211 = z.enum(['CHARGER', 'ENTRANCE', 'LOCATION', 'NETWORK', 'OPERATOR', 'OTHER', 'OWNER']);

export const ImageV211 = z.looseObject({
  url: UrlV211,
  thumbnail: UrlV211.optional(),
  category: ImageCategoryV211,
  type: StringV211(4),
  width: z.number().int().min(0).max(99999).optional(),
  height: z.number().int().min(0).max(99999).optional(),
});

export const BusinessDetailsV211 = z.looseObject({ name: StringV211(100), website: UrlV211.optional(), logo: ImageV211.optional() });
