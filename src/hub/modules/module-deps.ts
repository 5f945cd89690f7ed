import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import type { Config } from '../../foundation/config';
import type { ObjectStore } from '../routing/object-store';
import type { Outbox } from '../routing/outbox';
import type { PartyRegistry } from '../routing/parties';
import type { HubRouter } from '../routing/router';
import type { TariffAudienceRegistry } from '../routing/tariff-audiences';
import type { VersionContexts } from '../routing/version-context';
import type { OcpiClient } from '../outbound/ocpi-client';

/** What every OCPI module's service and routes are given (plain arguments, wired in services.ts). */
export interface ModuleDeps {
  config: Config;
  db: DataSource;
  log: Logger;
  client: OcpiClient;
  parties: PartyRegistry;
  outbox: Outbox;
  store: ObjectStore;
  router: HubRouter;
  publicUrl: string;
  /** What translations to and from versions whose objects lack it need (the edge and forwards). */
  versionContexts?: VersionContexts;
  /** Who may see which tariffs of owners whose tariffs are not all public (the own CPO). */
  tariffAudiences?: TariffAudienceRegistry;
}
