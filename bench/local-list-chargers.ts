/**
 * The simulated charge points of bench:local-list (forked by bench/local-list.ts): real ocpp-rpc
 * clients speaking OCPP 1.6J that keep a local authorization list as a charger does (Full replaces,
 * Differential puts and removes, a version not above its own is VersionMismatch). Holding 10,000
 * entries in each of 1,000 chargers would take gigabytes, so every tenth charger keeps the entries
 * (checked against the wanted list); the others keep the version and the entry count of Full updates.
 * Clients do not validate (strict mode is the server's cost, not the load generator's).
 */
import type { RPCClient } from 'ocpp-rpc';
import { loadChargePoint } from './support';

export type ChargersCommand =
  | { id: number; cmd: 'connect'; url: string; ids: string[]; password: string; concurrency: number }
  | { id: number; cmd: 'lists' }
  | { id: number; cmd: 'closeAll' };

interface Held {
  version: number;
  messages: number;
  entries?: Map<string, string>;
  /** For chargers that do not keep entries: how many the last Full update and its chunks carried. */
  fullCount: number;
}

const clients = new Map<string, RPCClient>();
const held = new Map<string, Held>();

function keep(client: RPCClient, chargerId: string, observer: boolean): void {
  const list: Held = { version: 0, messages: 0, fullCount: 0, ...(observer && { entries: new Map() }) };
  held.set(chargerId, list);
  client.handle('GetLocalListVersion', async () => ({ listVersion: list.version }));
  client.handle('SendLocalList', async ({ params }) => {
    const p = params as { listVersion: number; updateType: string; localAuthorizationList?: { idTag: string; idTagInfo?: { status: string } }[] };
    list.messages++;
    if (p.updateType === 'Differential' && p.listVersion <= list.version) return { status: 'VersionMismatch' };
    const items = p.localAuthorizationList ?? [];
    if (p.updateType === 'Full') {
      list.entries?.clear();
      list.fullCount = 0;
    }
    for (const item of items) {
      if (item.idTagInfo) list.entries?.set(item.idTag, item.idTagInfo.status);
      else list.entries?.delete(item.idTag);
    }
    list.fullCount += items.length;
    list.version = p.listVersion;
    return { status: 'Accepted' };
  });
}

async function connect(command: Extract<ChargersCommand, { cmd: 'connect' }>): Promise<{ failures: number; firstFailure?: string }> {
  for (const client of clients.values()) await client.close({ force: true }).catch(() => undefined);
  clients.clear();
  held.clear();
  let failures = 0;
  let firstFailure: string | undefined;
  const queue = command.ids.map((id, i) => [id, i] as const);
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const [chargerId, index] = next;
      const client = loadChargePoint(command.url, chargerId, command.password);
      keep(client, chargerId, index % 10 === 0);
      try {
        await client.connect();
        clients.set(chargerId, client);
      } catch (error) {
        failures++;
        firstFailure ??= `${chargerId}: ${(error as Error).message}`;
      }
    }
  };
  await Promise.all(Array.from({ length: command.concurrency }, worker));
  return { failures, firstFailure };
}

function lists() {
  return [...held].map(([chargerId, list]) => ({
    chargerId,
    version: list.version,
    messages: list.messages,
    fullCount: list.fullCount,
    entries: list.entries ? Object.fromEntries(list.entries) : undefined,
  }));
}

process.on('message', (command: ChargersCommand) => {
  const run = async () => {
    if (command.cmd === 'connect') return connect(command);
    if (command.cmd === 'lists') return { lists: lists() };
    for (const client of clients.values()) await client.close({ force: true }).catch(() => undefined);
    clients.clear();
    return {};
  };
  run().then(
    (reply) => process.send!({ id: command.id, ...reply }),
    (error: Error) => process.send!({ id: command.id, error: error.message }),
  );
});
process.on('disconnect', () => process.exit(0));
process.send!({ ready: true });
