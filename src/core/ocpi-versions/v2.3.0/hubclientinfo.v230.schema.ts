import { z } from 'zod';
import { CountryCodeV230, DateTimeV230, PartyIdV230, RoleV230 } from './types.v230.schema';

/** ClientInfo (OCPI 2.3.0 mod_hub_client_info.asciidoc): as 2.2.1, but Role has no HUB. */
export const ClientInfoV230 = z.looseObject({
  party_id: PartyIdV230,
  country_code: CountryCodeV230,
  role: RoleV230,
  status: z.enum(['CONNECTED', 'OFFLINE', 'PLANNED', 'SUSPENDED']),
  last_updated: DateTimeV230,
});
export type ClientInfoV230 = z.infer<typeof ClientInfoV230>;
