import { z } from 'zod';
import { BusinessDetailsV230, CiStringV230, CountryCodeV230, PartyIdV230, RoleV230, UrlV230 } from './types.v230.schema';

/** Credentials and CredentialsRole (OCPI 2.3.0 credentials.asciidoc). */

export const CredentialsRoleV230 = z.looseObject({
  role: RoleV230,
  business_details: BusinessDetailsV230,
  party_id: PartyIdV230,
  country_code: CountryCodeV230,
});

/**
 * hub_party_id: "The Hub party of this platform. The two-letter country code and three-character
 * party ID are concatenated together in this field as one five-character string." roles: "In OCPI
 * 2.3.0, unlike in OCPI 2.2 or 2.2.1, Roaming Hubs' platforms are expected to include the parties
 * that are reachable through the Roaming Hub in the list in roles."
 */
export const CredentialsV230 = z
  .looseObject({
    token: z.string().min(1).max(64).regex(/^[\x21-\x7e]+$/, 'must be printable non-whitespace ASCII'),
    url: UrlV230,
    hub_party_id: CiStringV230(5).regex(/^[A-Za-z]{2}[A-Za-z0-9]{3}$/, 'must be a country code and a party id, e.g. NLHUB').optional(),
    roles: z.array(CredentialsRoleV230).min(1),
  })
  .superRefine((credentials, ctx) => {
    const seen = new Set<string>();
    for (const [index, role] of credentials.roles.entries()) {
      const key = `${role.role}/${role.country_code.toUpperCase()}/${role.party_id.toUpperCase()}`;
      if (seen.has(key)) ctx.addIssue({ code: 'custom', path: ['roles', index], message: `role ${key} is listed twice` });
      seen.add(key);
    }
  });
export type CredentialsV230 = z.infer<typeof CredentialsV230>;
export type CredentialsRoleV230 = z.infer<typeof CredentialsRoleV230>;
