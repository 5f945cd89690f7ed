import { createRPCError, type RPCClient } from 'ocpp-rpc';
import { Client as PgClient } from 'pg';
import { connectChargePoint } from '../../support/charge-point';
import { waitFor } from '../../support/network';
import { CHARGER_PASSWORD, type OwnNetwork, OWN, rfidToken, startOwnNetwork } from '../../support/own-network';

type Protocol = 'ocpp1.6' | 'ocpp2.0.1';

/**
 * The charger's side of OCPP's local authorization list, as a real charger keeps it: GetLocalListVersion
 * answers its version; SendLocalList Full replaces the list, Differential puts entries with a status and
 * removes those without, and refuses a version not above its own (VersionMismatch). `mode` makes it
 * misbehave; `authorizeOffline` is what the charger decides from the list when it cannot reach the hub.
 */
class ChargerList {
  version = 0;
  readonly entries = new Map<string, { status: string; expires?: string; type?: string }>();
  readonly received: { updateType: string; version: number; entries: unknown[] }[] = [];
  mode: 'normal' | 'Failed' | 'callerror' | 'mismatch-once' = 'normal';

  constructor(
    readonly client: RPCClient,
    readonly protocol: Protocol,
  ) {
    this.attach(client);
  }

  attach(client: RPCClient): void {
    const v16 = this.protocol === 'ocpp1.6';
    client.handle('GetLocalListVersion', async () => (v16 ? { listVersion: this.version } : { versionNumber: this.version }));
    client.handle('SendLocalList', async ({ params = {} }: { params?: any }) => {
      const version: number = v16 ? params.listVersion : params.versionNumber;
      const list: any[] = params.localAuthorizationList ?? [];
      this.received.push({ updateType: params.updateType, version, entries: list });
      if (this.mode === 'callerror') throw createRPCError('InternalError', 'list storage broken');
      if (this.mode === 'Failed') return { status: 'Failed' };
      if (this.mode === 'mismatch-once') {
        this.mode = 'normal';
        return { status: 'VersionMismatch' };
      }
      if (params.updateType === 'Differential' && version <= this.version) return { status: 'VersionMismatch' };
      if (params.updateType === 'Full') this.entries.clear();
      for (const item of list) {
        const id = v16 ? item.idTag : item.idToken.idToken;
        const info = v16 ? item.idTagInfo : item.idTokenInfo;
        if (info) this.entries.set(id, { status: info.status, expires: v16 ? info.expiryDate : info.cacheExpiryDateTime, ...(v16 ? {} : { type: item.idToken.type }) });
        else this.entries.delete(id);
      }
      this.version = version;
      return { status: 'Accepted' };
    });
  }

  statuses(): Record<string, string> {
    return Object.fromEntries([...this.entries].sort(([a], [b]) => (a < b ? -1 : 1)).map(([id, e]) => [id, e.status]));
  }

  /** The charger cannot reach the hub: the list decides (OCPP 1.6 §3.5.3, 2.0.1 C13/C14, LocalAuthorizeOffline). */
  authorizeOffline(id: string): string {
    const entry = this.entries.get(id);
    if (!entry) return 'Unknown';
    if (entry.expires && Date.parse(entry.expires) < Date.now()) return 'Expired';
    return entry.status;
  }
}

const sameStatuses = (list: ChargerList, wanted: Record<string, string>) => JSON.stringify(list.statuses()) === JSON.stringify(wanted);

describe('local authorization lists from the eMSPs\' whitelisted tokens', () => {
  let net: OwnNetwork;
  const lists: Record<Protocol, ChargerList> = {} as Record<Protocol, ChargerList>;
  const ids: Record<Protocol, string> = { 'ocpp1.6': 'LL16', 'ocpp2.0.1': 'LL201' };
  const state = async (id: string, entries = false) => (await net.hub.admin.get(`/admin/chargers/${id}/local-list${entries ? '?entries=true' : ''}`)).data;
  const both = (wanted: Record<string, string>) => (['ocpp1.6', 'ocpp2.0.1'] as const).every((p) => sameStatuses(lists[p], wanted));
  const push = (emsp: 'EM1' | 'EM2', uid: string, whitelist = 'ALLOWED', valid = true, lastUpdated = '2026-01-01T00:00:00Z') =>
    net.pushToken(emsp, { ...rfidToken(net.parties[emsp], uid, whitelist, valid), last_updated: lastUpdated });

  beforeAll(async () => {
    net = await startOwnNetwork({ emsps: ['NL/EM1', 'NL/EM2'], evses: ['E1', 'E2', 'E3', 'E4'] });
    await push('EM1', 'TOK-A', 'ALLOWED');
    await push('EM1', 'TOK-B', 'ALWAYS');
    await push('EM1', 'TOK-C', 'NEVER');
    await push('EM1', 'TOK-D', 'ALLOWED_OFFLINE');
    await push('EM1', 'TOK-E', 'ALLOWED', false);
    await push('EM2', 'TOK-G', 'ALWAYS');
    await push('EM1', 'TOK-LONG-UID-OVER-20-CHARS', 'ALWAYS');
    await net.hub.services.localLists.idle();
    await net.addCharger(ids['ocpp1.6'], 'ocpp1.6', 'SITE1', 'E1');
    await net.addCharger(ids['ocpp2.0.1'], 'ocpp2.0.1', 'SITE1', 'E2');
  });
  afterAll(async () => {
    await net.close();
  });

  it('sends a full list when a charger boots: whitelisted valid tokens Accepted, blocked ones Blocked, 1.6 without uids over 20 characters', async () => {
    for (const protocol of ['ocpp1.6', 'ocpp2.0.1'] as const) {
      const client = await net.connect(ids[protocol], protocol);
      // the handlers must be there before the hub asks, which it does after the boot is answered
      lists[protocol] = new ChargerList(client, protocol);
    }
    const base = { 'TOK-A': 'Accepted', 'TOK-B': 'Accepted', 'TOK-E': 'Blocked', 'TOK-G': 'Accepted' };
    await waitFor(() => sameStatuses(lists['ocpp1.6'], base), 'the 1.6 list');
    await waitFor(() => sameStatuses(lists['ocpp2.0.1'], { ...base, 'TOK-LONG-UID-OVER-20-CHARS': 'Accepted' }), 'the 2.0.1 list');
    for (const protocol of ['ocpp1.6', 'ocpp2.0.1'] as const) {
      expect(lists[protocol].received[0]).toMatchObject({ updateType: 'Full', version: 1 });
      expect(lists[protocol].version).toBe(1);
    }
    // 2.0.1: ISO 14443 cards with a cache expiry; 1.6: idTagInfo with expiryDate; Blocked entries without
    expect(lists['ocpp2.0.1'].entries.get('TOK-A')).toEqual({ status: 'Accepted', type: 'ISO14443', expires: expect.stringMatching(/Z$/) });
    expect(lists['ocpp1.6'].entries.get('TOK-E')).toEqual({ status: 'Blocked', expires: undefined });
    const expires = Date.parse(lists['ocpp1.6'].entries.get('TOK-A')!.expires!);
    expect(expires - Date.now()).toBeGreaterThan(3.4 * 24 * 3_600_000);
    await waitFor(async () => (await state('LL16')).outcome === 'Accepted', 'the state recorded');
    expect(await state('LL16', true)).toMatchObject({
      charger_id: 'LL16', protocol: 'ocpp1.6', connected: true, list_version: 1, entry_count: 4, full_requested: false, outcome: 'Accepted',
      update_type: 'Full', left_out: { id_too_long: 1, over_capacity: 0 },
      entries: [
        { id_tag: 'TOK-A', status: 'Accepted', expires_at: expect.any(String) },
        { id_tag: 'TOK-B', status: 'Accepted', expires_at: expect.any(String) },
        { id_tag: 'TOK-E', status: 'Blocked', expires_at: null },
        { id_tag: 'TOK-G', status: 'Accepted', expires_at: expect.any(String) },
      ],
    });
    await waitFor(async () => (await state('LL201')).entry_count === 5, 'the 2.0.1 state');
  });

  it('the list decides for a roaming driver while the charger cannot reach the hub', async () => {
    for (const protocol of ['ocpp1.6', 'ocpp2.0.1'] as const) {
      expect(lists[protocol].authorizeOffline('TOK-G')).toBe('Accepted'); // EM2's driver
      expect(lists[protocol].authorizeOffline('TOK-E')).toBe('Blocked');
      expect(lists[protocol].authorizeOffline('TOK-C')).toBe('Unknown'); // NEVER: only the eMSP decides
    }
  });

  it('calls a booting station only once its boot is answered (OCPP 2.0.1 B01.FR.05), even with the tokens already read', async () => {
    await net.addCharger('LL201B', 'ocpp2.0.1', 'SITE1', 'E3');
    const client = await connectChargePoint(net.hub, { id: 'LL201B', password: CHARGER_PASSWORD, protocol: 'ocpp2.0.1' });
    const inbound: unknown[][] = [];
    client.on('message', ({ message, outbound }: { message: Buffer | string; outbound: boolean }) => {
      if (!outbound) inbound.push(JSON.parse(String(message)));
    });
    const list = new ChargerList(client, 'ocpp2.0.1');
    await client.call('BootNotification', { reason: 'PowerUp', chargingStation: { vendorName: 'Test', model: 'AC22' } });
    await waitFor(() => list.version === 1, 'the booting station\'s list');
    expect(inbound[0][0]).toBe(3); // CALLRESULT: the boot's answer came before any call of the hub
    expect(inbound.slice(1).some((m) => m[0] === 2 && m[2] === 'GetLocalListVersion')).toBe(true);
    await client.close({ force: true });
  });

  it('calls a station whose boot takes longer than the connection delay only once its boot is answered, and syncs it once', async () => {
    await net.addCharger('LL201C', 'ocpp2.0.1', 'SITE1', 'E4');
    const { localLists, db } = net.hub.services;
    const connectDelay = localLists.connectDelayMs;
    localLists.connectDelayMs = 50;
    // Another connection holds the charger's row as an update would: the boot's write waits (a hub under load).
    const blocker = new PgClient({ connectionString: (db.options as { url: string }).url });
    await blocker.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query(`SELECT id FROM chargers WHERE id = 'LL201C' FOR NO KEY UPDATE`);
      const client = await connectChargePoint(net.hub, { id: 'LL201C', password: CHARGER_PASSWORD, protocol: 'ocpp2.0.1' });
      const inbound: unknown[][] = [];
      client.on('message', ({ message, outbound }: { message: Buffer | string; outbound: boolean }) => {
        if (!outbound) inbound.push(JSON.parse(String(message)));
      });
      const list = new ChargerList(client, 'ocpp2.0.1');
      const boot = client.call('BootNotification', { reason: 'PowerUp', chargingStation: { vendorName: 'Test', model: 'AC22' } });
      await new Promise((resolve) => setTimeout(resolve, 400)); // eight connection delays, the boot still unanswered
      expect(inbound).toEqual([]);
      await blocker.query('ROLLBACK');
      await expect(boot).resolves.toMatchObject({ status: 'Accepted' });
      await waitFor(() => list.version === 1, "the booting station's list");
      await localLists.idle();
      expect(inbound[0][0]).toBe(3); // the boot's answer first
      expect(inbound.filter((m) => m[0] === 2 && m[2] === 'GetLocalListVersion')).toHaveLength(1);
      await client.close({ force: true });
    } finally {
      localLists.connectDelayMs = connectDelay;
      await blocker.end();
    }
  });

  it('sends only what changed after a token push and a block: a Differential with the next version', async () => {
    const before = { '1.6': lists['ocpp1.6'].received.length, '2.0.1': lists['ocpp2.0.1'].received.length };
    await push('EM1', 'TOK-F', 'ALLOWED');
    await push('EM1', 'TOK-A', 'ALLOWED', false, '2026-01-02T00:00:00Z');
    const wanted = { 'TOK-A': 'Blocked', 'TOK-B': 'Accepted', 'TOK-E': 'Blocked', 'TOK-F': 'Accepted', 'TOK-G': 'Accepted' };
    await waitFor(() => sameStatuses(lists['ocpp1.6'], wanted), 'the 1.6 list after the pushes');
    await waitFor(() => sameStatuses(lists['ocpp2.0.1'], { ...wanted, 'TOK-LONG-UID-OVER-20-CHARS': 'Accepted' }), 'the 2.0.1 list');
    const sent = lists['ocpp1.6'].received.slice(before['1.6']);
    expect(sent.every((m) => m.updateType === 'Differential')).toBe(true);
    expect(sent.flatMap((m) => m.entries)).toEqual(expect.arrayContaining([{ idTag: 'TOK-A', idTagInfo: { status: 'Blocked' } }, expect.objectContaining({ idTag: 'TOK-F' })]));
    expect(sent.flatMap((m) => m.entries)).toHaveLength(2);
    expect(lists['ocpp2.0.1'].received.slice(before['2.0.1']).every((m) => m.updateType === 'Differential')).toBe(true);
  });

  it('removes an eMSP\'s tokens when its agreement with the own CPO ends (entries without status)', async () => {
    const agreement = (await net.hub.services.agreements.list()).find((a) => a.cpo.partyId === OWN.partyId && a.emsp.partyId === 'EM2')!;
    const before = lists['ocpp2.0.1'].received.length;
    expect((await net.hub.admin.delete(`/admin/agreements/${agreement.id}`)).status).toBe(204);
    await waitFor(() => !lists['ocpp2.0.1'].entries.has('TOK-G') && !lists['ocpp1.6'].entries.has('TOK-G'), 'TOK-G removed');
    expect(both({ 'TOK-A': 'Blocked', 'TOK-B': 'Accepted', 'TOK-E': 'Blocked', 'TOK-F': 'Accepted' })).toBe(false); // 2.0.1 also holds the long uid
    expect(lists['ocpp1.6'].statuses()).toEqual({ 'TOK-A': 'Blocked', 'TOK-B': 'Accepted', 'TOK-E': 'Blocked', 'TOK-F': 'Accepted' });
    const removal = lists['ocpp2.0.1'].received.slice(before);
    expect(removal).toEqual([{ updateType: 'Differential', version: expect.any(Number), entries: [{ idToken: { idToken: 'TOK-G', type: 'ISO14443' } }] }]);
    expect(lists['ocpp1.6'].authorizeOffline('TOK-G')).toBe('Unknown');
    await net.hub.admin.post('/admin/agreements', { cpo: `${OWN.countryCode}/${OWN.partyId}`, emsp: 'NL/EM2' });
    await waitFor(() => lists['ocpp1.6'].entries.has('TOK-G') && lists['ocpp2.0.1'].entries.has('TOK-G'), 'TOK-G back with the agreement');
  });

  it('sends a full list when the charger\'s version is not the one the hub set, and when it answers VersionMismatch', async () => {
    const list = lists['ocpp1.6'];
    await net.hub.services.localLists.idle();
    // someone else (a maintenance tool) replaced the charger's list
    list.entries.clear();
    list.entries.set('STRANGER', { status: 'Accepted' });
    list.version = 42;
    let before = list.received.length;
    net.hub.services.localLists.changed('test');
    const hubSet = list.received[before - 1].version;
    await waitFor(() => list.version >= 43 && !list.entries.has('STRANGER') && list.entries.has('TOK-B'), 'the full list after the mismatch');
    // The first message after the mismatch is a full list (a sync other events start may follow it).
    expect(list.received[before]).toEqual(expect.objectContaining({ updateType: 'Full', version: 43 }));
    const detail = (await state('LL16')).detail as string;
    if (list.received.length === before + 1) expect(detail).toBe(`the charger reports list version 42, the hub set ${hubSet}`);
    await net.hub.services.localLists.idle();

    // a Differential refused with VersionMismatch: a full list follows at once
    before = list.received.length;
    list.mode = 'mismatch-once';
    await push('EM1', 'TOK-H', 'ALWAYS');
    await waitFor(() => list.entries.has('TOK-H'), 'TOK-H after the VersionMismatch');
    // The refused Differential is followed at once by a full list.
    expect(list.received.slice(before, before + 2).map((m) => m.updateType)).toEqual(['Differential', 'Full']);
    await waitFor(async () => (await state('LL16')).outcome === 'Accepted', 'the outcome');
  });

  it('skips a charger that is offline and brings its list up to date when it is back, without a boot', async () => {
    const id = ids['ocpp1.6'];
    const list = lists['ocpp1.6'];
    await net.hub.services.localLists.idle();
    await list.client.close({ force: true });
    await waitFor(async () => !net.hub.services.ocpp.connection(id), 'the hub saw it go');
    const before = list.received.length;
    await push('EM1', 'TOK-I', 'ALLOWED');
    await net.hub.services.localLists.idle();
    expect(list.received.length).toBe(before);
    expect((await state(id)).outcome).toBe('Accepted'); // the last sync's, untouched while it was away
    const back = await connectChargePoint(net.hub, { id, password: CHARGER_PASSWORD, protocol: 'ocpp1.6' });
    try {
      list.attach(back);
      await waitFor(() => list.entries.has('TOK-I'), 'TOK-I after the reconnection');
      expect(list.received.slice(before)).toEqual([expect.objectContaining({ updateType: 'Differential', entries: [expect.objectContaining({ idTag: 'TOK-I' })] })]);
    } finally {
      await back.close({ force: true });
    }
  });

  it('records a charger answering Failed or a CALLERROR, and sends a full list when it works again or the operator asks', async () => {
    const list = lists['ocpp2.0.1'];
    await net.hub.services.localLists.idle();
    list.mode = 'Failed';
    await push('EM1', 'TOK-J', 'ALLOWED');
    await waitFor(async () => (await state('LL201')).outcome === 'Failed', 'Failed recorded');
    // a Failed Differential is tried once more as a full list; a Failed full list leaves the list unknown
    expect(list.received.slice(-2).map((m) => m.updateType)).toEqual(['Differential', 'Full']);
    expect(await state('LL201')).toMatchObject({ entry_count: null, detail: expect.stringMatching(/answered Failed to SendLocalList \(Full/) });

    list.mode = 'callerror';
    const failed = await net.hub.admin.post('/admin/chargers/LL201/local-list/sync');
    expect(failed.status).toBe(200);
    expect(failed.data).toMatchObject({ sent_now: true, outcome: 'CallError', full_requested: true, detail: expect.stringContaining('InternalError') });

    const afterFailure = list.received.length;
    list.mode = 'normal';
    const ok = await net.hub.admin.post('/admin/chargers/LL201/local-list/sync');
    expect(ok.status).toBe(200);
    expect(ok.data).toMatchObject({ sent_now: true, full_requested: false });
    // Working again, the charger gets a full list (from the operator's sync, or a retry that came first).
    await net.hub.services.localLists.idle();
    expect(list.received.slice(afterFailure).map((m) => m.updateType)).toContain('Full');
    expect((await state('LL201')).outcome).toMatch(/^(Accepted|Unchanged)$/);
    expect(list.authorizeOffline('TOK-J')).toBe('Accepted');
    // an operator's full list for a charger that is not connected waits for it
    const away = await net.hub.admin.post('/admin/chargers/LL16/local-list/sync');
    expect(away.status).toBe(202);
    expect(away.data).toMatchObject({ sent_now: false, connected: false, full_requested: true });
    expect((await net.hub.admin.get('/admin/chargers/NOBODY/local-list')).status).toBe(404);
    expect((await net.hub.admin.get('/admin/chargers/LL16/local-list?entries=maybe')).status).toBe(400);
  });

  it('leaves a charger another instance is synchronising (it holds the lease) to that instance, and takes over a lease that ran out', async () => {
    const list = lists['ocpp2.0.1'];
    const { db, localLists } = net.hub.services;
    await localLists.idle();
    await db.query(`UPDATE charger_local_lists SET sync_instance = 'another-instance', sync_lease_until = now() + interval '10 minutes' WHERE charger_id = 'LL201'`);
    const before = list.received.length;
    await push('EM1', 'TOK-K', 'ALLOWED'); // a change: every instance looks at its chargers
    await localLists.idle();
    expect(await localLists.sync('LL201')).toBeUndefined();
    expect(list.received.length).toBe(before);
    expect(list.entries.has('TOK-K')).toBe(false);
    const [held] = await db.query(`SELECT sync_instance FROM charger_local_lists WHERE charger_id = 'LL201'`);
    expect(held.sync_instance).toBe('another-instance');

    // That instance died mid-sync: once its lease has run out, this one takes the charger over.
    await db.query(`UPDATE charger_local_lists SET sync_lease_until = now() - interval '1 second' WHERE charger_id = 'LL201'`);
    const state = await localLists.sync('LL201');
    expect(state).toMatchObject({ chargerId: 'LL201', outcome: 'Accepted', updateType: 'Differential' });
    expect(state!.entryCount).toBe(list.entries.size);
    expect(list.entries.get('TOK-K')).toMatchObject({ status: 'Accepted' });
    const [released] = await db.query(`SELECT sync_instance, sync_lease_until FROM charger_local_lists WHERE charger_id = 'LL201'`);
    expect(released).toEqual({ sync_instance: null, sync_lease_until: null });
    expect(await localLists.state('LL201')).toEqual(state); // what a sync answers is what is stored
  });
});
