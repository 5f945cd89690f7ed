import { SelectQueryBuilder } from 'typeorm';
import { parseAuthorizationHeader } from '../../../src/hub/ocpi/credentials-token';
import { startNetwork, type TestNetwork } from '../../support/network';

/** last_seen_at is written once per party and interval, however many requests arrive while it commits. */
describe('party activity records', () => {
  let net: TestNetwork;
  beforeAll(async () => {
    net = await startNetwork({ cpos: ['NL/ACT'], emsps: [] });
  });
  afterAll(() => net.close());

  // Writes of this party's row (Repository.update hands the manager its criteria).
  const partyWrites = (calls: unknown[][]) => calls.filter(([, criteria]) => (criteria as { id?: string } | undefined)?.id === net.parties.ACT.id).length;
  const stored = async () => (await net.hub.services.db.query(`SELECT last_seen_at, offline_since FROM parties WHERE id = $1`, [net.parties.ACT.id]))[0];

  // Only Date is faked: the clock is moved past the write interval of the registration's own requests.
  const onlyDate = ['hrtime', 'nextTick', 'performance', 'queueMicrotask', 'requestAnimationFrame', 'cancelAnimationFrame', 'requestIdleCallback', 'cancelIdleCallback', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'] as const;
  afterEach(() => jest.useRealTimers());

  it('writes last_seen_at once for requests that arrive together, also when they read the party again before it committed', async () => {
    const { parties, db } = net.hub.services;
    jest.useFakeTimers({ doNotFake: [...onlyDate], now: Date.now() + 60_000 });
    const longAgo = new Date(Date.now() - 60_000);
    await db.query(`UPDATE parties SET last_seen_at = $2 WHERE id = $1`, [net.parties.ACT.id, longAgo]);
    parties.forget();
    const update = jest.spyOn(db.manager, 'update');
    try {
      const first = (await parties.get(net.parties.ACT.id))!;
      // Each request holds its own copy, as after a cache refresh that read the row before the write committed.
      const copies = await Promise.all(Array.from({ length: 5 }, async () => (parties.forget(), (await parties.get(net.parties.ACT.id))!)));
      expect(copies.every((c) => c.lastSeenAt!.getTime() === longAgo.getTime())).toBe(true);
      await Promise.all([first, first, first, ...copies].map((party) => parties.recordActivity(party)));
      expect(partyWrites(update.mock.calls)).toBe(1);
      expect((await stored()).last_seen_at.getTime()).toBeGreaterThan(longAgo.getTime());
      // Within the interval nothing more is written, whatever copy a request holds.
      parties.forget();
      await parties.recordActivity((await parties.get(net.parties.ACT.id))!);
      await parties.recordActivity(copies[0]);
      expect(partyWrites(update.mock.calls)).toBe(1);
      // force (the still-alive check) writes anyway.
      await parties.recordActivity(copies[0], { force: true });
      expect(partyWrites(update.mock.calls)).toBe(2);
    } finally {
      update.mockRestore();
    }
  });

  it('reconnects an OFFLINE party once when several of its requests arrive together, each waiting for it', async () => {
    const { parties } = net.hub.services;
    await parties.markOffline(net.parties.ACT.id);
    expect((await stored()).offline_since).not.toBeNull();
    const changes: string[] = [];
    parties.onStatusChange((party) => void changes.push(party.offlineSince ? 'OFFLINE' : 'CONNECTED'));
    const offline = (await parties.get(net.parties.ACT.id))!;
    expect(offline.offlineSince).not.toBeNull();
    await Promise.all([offline, offline, offline].map((party) => parties.recordActivity(party)));
    expect((await stored()).offline_since).toBeNull();
    expect(changes).toEqual(['CONNECTED']);
    expect((await net.hub.admin.get(`/admin/parties/${net.parties.ACT.id}`)).data.status).toBe('CONNECTED');
  });
});

/** A party lookup that misses the cache is read once, however many requests miss it together. */
describe('party lookups under load', () => {
  let net: TestNetwork;
  beforeAll(async () => {
    net = await startNetwork({ cpos: ['NL/LKP'], emsps: [] });
  });
  afterAll(() => net.close());

  it('reads a party by id once for lookups that miss the cache together', async () => {
    const { parties, db } = net.hub.services;
    const findOne = jest.spyOn(db.manager, 'findOne');
    try {
      parties.forget();
      const found = await Promise.all(Array.from({ length: 10 }, () => parties.get(net.parties.LKP.id)));
      expect(findOne).toHaveBeenCalledTimes(1);
      expect(found.every((p) => p?.id === net.parties.LKP.id)).toBe(true);
      // A read under way when the cache is dropped (a change of a party) is not remembered.
      parties.forget();
      const before = parties.get(net.parties.LKP.id);
      parties.forget();
      await before;
      await parties.get(net.parties.LKP.id);
      expect(findOne).toHaveBeenCalledTimes(3);
      await parties.get(net.parties.LKP.id);
      expect(findOne).toHaveBeenCalledTimes(3);
    } finally {
      findOne.mockRestore();
    }
  });

  it('reads a credentials token once for requests that miss the cache together, and answers each', async () => {
    const { parties } = net.hub.services;
    const getMany = jest.spyOn(SelectQueryBuilder.prototype, 'getMany');
    try {
      parties.forget();
      const header = `Token ${Buffer.from(net.parties.LKP.token).toString('base64')}`;
      const callers = await Promise.all(Array.from({ length: 10 }, () => parties.findByCredentialsToken(parseAuthorizationHeader(header))));
      expect(getMany).toHaveBeenCalledTimes(1);
      expect(callers.map((c) => `${c?.kind} ${c?.party.id}`)).toEqual(Array(10).fill(`C ${net.parties.LKP.id}`));
      expect(await parties.findByCredentialsToken(parseAuthorizationHeader('Token bm90LWEtdG9rZW4='))).toBeNull();
    } finally {
      getMany.mockRestore();
    }
  });
});

/** A successful call writes nothing for a party known to be healthy, even once its cached lookup expired. */
describe('call health records', () => {
  let net: TestNetwork;
  beforeAll(async () => {
    net = await startNetwork({ cpos: ['NL/HLT'], emsps: [] });
  });
  afterAll(() => net.close());

  it('resets the failure count once after failures, and writes no more for the successes that follow', async () => {
    const { parties, db } = net.hub.services;
    const id = net.parties.HLT.id;
    const failures = async () => (await db.query(`SELECT call_failures FROM parties WHERE id = $1`, [id]))[0].call_failures as number;
    await parties.recordCall(id, { kind: 'network', message: 'connection refused' });
    await parties.recordCall(id, { kind: 'network', message: 'connection refused' });
    expect(await failures()).toBe(2);
    const query = jest.spyOn(db, 'query');
    const resets = () => query.mock.calls.filter(([sql]) => /SET call_failures = 0/.test(String(sql))).length;
    try {
      await parties.recordCall(id);
      expect(await failures()).toBe(0);
      expect(resets()).toBe(1);
      // The cache emptied (as when its entry expired under load): still nothing more to write.
      for (let i = 0; i < 5; i++) {
        parties.forget();
        await parties.recordCall(id);
      }
      expect(resets()).toBe(1);
      // A failure here makes the next success write again.
      await parties.recordCall(id, { kind: 'timeout', message: 'no answer' });
      expect(await failures()).toBe(1);
      parties.forget();
      await parties.recordCall(id);
      expect(resets()).toBe(2);
      expect(await failures()).toBe(0);
    } finally {
      query.mockRestore();
    }
  });
});
