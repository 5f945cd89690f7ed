import { z } from 'zod';
import { OpenEnumV230, UrlV230 } from './types.v230.schema';

/** Version information and details (OCPI 2.3.0 version_information_endpoint.asciidoc). */

/** VersionNumber and ModuleID are OpenEnums in 2.3.0: a partner may list versions and modules the hub does not know. */
export const VersionV230 = z.looseObject({ version: OpenEnumV230, url: UrlV230 });
export const VersionListV230 = z.array(VersionV230);

export const EndpointV230 = z.looseObject({ identifier: OpenEnumV230, role: z.enum(['SENDER', 'RECEIVER']), url: UrlV230 });
export const VersionDetailsV230 = z.looseObject({ version: OpenEnumV230, endpoints: z.array(EndpointV230) });

/** The modules of 2.3.0 (ModuleID): 2.2.1's plus payments. */
export const MODULE_IDS_V230 = ['cdrs', 'chargingprofiles', 'commands', 'credentials', 'hubclientinfo', 'locations', 'payments', 'sessions', 'tariffs', 'tokens'] as const;
