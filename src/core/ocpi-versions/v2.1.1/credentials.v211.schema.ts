import { z } from 'zod';
import { BusinessDetailsV211, StringV211, UrlV211 } from './types.v211.schema';

/** Credentials (credentials.md 2.1) and the version endpoints (version_information_endpoint.md), OCPI 2.1.1. */

/** One party per credentials object: no roles, the party's identity at the top level. */
export const CredentialsV211 = z.looseObject({
  token: z.string().min(1).max(64).regex(/^[\x21-\x7e]+$/, 'must be printable non-whitespace ASCII'),
  url: UrlV211,
  business_details: BusinessDetailsV211,
  party_id: z.string().regex(/^[A-Za-z0-9]{3}$/, 'must be 3 letters or digits'),
  country_code: z.string().regex(/^[A-Za-z]{2}$/, 'must be a 2-letter country code'),
});
export type CredentialsV211 = z.infer<typeof CredentialsV211>;

/** VersionNumber: 2.0, 2.1 (deprecated) and 2.1.1 are named; other strings are kept so newer ones can be read. */
export const VersionV211 = z.looseObject({ version: StringV211(10).min(1), url: UrlV211 });
export const VersionListV211 = z.array(VersionV211).min(1);
export type VersionV211 = z.infer<typeof VersionV211>;

export const ModuleIdV211 = z.enum(['cdrs', 'commands', 'credentials', 'locations', 'sessions', 'tariffs', 'tokens']);

/** Endpoint: no role (2.2.1 added SENDER/RECEIVER). Custom modules may use other identifiers. */
export const EndpointV211 = z.looseObject({ identifier: z.string().min(1), url: UrlV211 });
export const VersionDetailsV211 = z.looseObject({ version: StringV211(10).min(1), endpoints: z.array(EndpointV211).min(1) });
export type VersionDetailsV211 = z.infer<typeof VersionDetailsV211>;
