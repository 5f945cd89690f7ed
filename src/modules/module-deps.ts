import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import type { Config } from '../config';
import type { ObjectStore } from '../hub/object-store';
import type { Outbox } from '../hub/outbox';
import type { PartyRegistry } from '../hub/parties';
import type { HubRouter } from '../hub/router';
import type { OcpiClient } from '../transport/ocpi-client';

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
}
