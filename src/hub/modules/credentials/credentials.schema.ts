import { z } from 'zod';
import { ROLES } from '../../../db/entities';
import { CREDENTIALS_TOKEN_PATTERN } from '../../ocpi/credentials-token';

const Image = z.object({
  url: z.url().max(255),
  thumbnail: z.url().max(255).optional(),
  category: z.enum(['CHARGER', 'ENTRANCE', 'LOCATION', 'NETWORK', 'OPERATOR', 'OTHER', 'OWNER']),
  type: z.string().min(1).max(4),
  width: z.number().int().min(0).max(99999).optional(),
  height: z.number().int().min(0).max(99999).optional(),
});

/** BusinessDetails (mod_locations.asciidoc). */
export const BusinessDetails = z.object({
  name: z.string().min(1).max(100),
  website: z.url().max(255).optional(),
  logo: Image.optional(),
});

/** CredentialsRole (credentials.asciidoc); CiStrings are upper-cased so they compare case-insensitively. */
export const CredentialsRole = z.object({
  role: z.enum(ROLES),
  business_details: BusinessDetails,
  party_id: z.string().regex(/^[A-Za-z0-9]{3}$/, 'party_id must be 3 letters or digits').transform((v) => v.toUpperCase()),
  country_code: z.string().regex(/^[A-Za-z]{2}$/, 'country_code must be 2 letters').transform((v) => v.toUpperCase()),
});

/** The Credentials object (credentials.asciidoc). */
export const Credentials = z
  .object({
    token: z.string().regex(CREDENTIALS_TOKEN_PATTERN, 'token must be 1 to 64 printable non-whitespace ASCII characters'),
    url: z.url({ protocol: /^https?$/ }).max(255),
    roles: z.array(CredentialsRole).min(1, 'roles must list at least one role').max(100),
  })
  .superRefine((credentials, ctx) => {
    const seen = new Set<string>();
    for (const [index, role] of credentials.roles.entries()) {
      const key = `${role.role}/${role.country_code}/${role.party_id}`;
      if (seen.has(key)) {
        ctx.addIssue({ code: 'custom', path: ['roles', index], message: `role ${key} is listed twice` });
      }
      seen.add(key);
    }
  });
export type Credentials = z.infer<typeof Credentials>;

export const VersionList = z.array(z.object({ version: z.string().min(1), url: z.url() }));

export const VersionDetails = z.object({
  version: z.string().min(1),
  endpoints: z.array(
    z.object({ identifier: z.string().min(1), role: z.enum(['SENDER', 'RECEIVER']), url: z.url() }),
  ),
});
