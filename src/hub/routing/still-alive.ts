import type { Logger } from 'pino';
import type { OcpiClient } from '../outbound/ocpi-client';
import { connectionStatus, type PartyRegistry } from './parties';

/**
 * The still-alive check (mod_hub_client_info.asciidoc): a connected party the hub has heard nothing
 * from for `idleMs` gets a GET on its versions endpoint (no side effects). No answer: OFFLINE, pushed
 * to the others through hubclientinfo. An OFFLINE party is checked every run and is CONNECTED again
 * as soon as it answers (or calls the hub).
 */
export class StillAliveCheck {
  constructor(
    private readonly deps: { parties: PartyRegistry; client: OcpiClient; log: Logger; idleMs: number; timeoutMs: number },
  ) {}

  async run(now = new Date()): Promise<{ checked: number; offline: number }> {
    const { parties, client, log } = this.deps;
    const due = (await parties.list()).filter((p) => {
      const status = connectionStatus(p);
      if (status === 'OFFLINE') return true;
      return status === 'CONNECTED' && (!p.lastSeenAt || now.getTime() - p.lastSeenAt.getTime() >= this.deps.idleMs);
    });
    let offline = 0;
    await Promise.all(
      due.map(async (party) => {
        try {
          await client.request({
            method: 'GET',
            url: party.versionsUrl!,
            token: parties.tokenB(party),
            encoding: party.tokenEncoding,
            timeoutMs: this.deps.timeoutMs,
            party,
            module: 'versions',
          });
          await parties.recordActivity(party, { force: true });
        } catch (error) {
          offline++;
          log.warn({ party: `${party.countryCode}/${party.partyId}`, err: (error as Error).message }, 'still-alive check failed');
          await parties.markOffline(party.id);
        }
      }),
    );
    return { checked: due.length, offline };
  }
}
