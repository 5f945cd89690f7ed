import axios from 'axios';
import type { RPCClient } from 'ocpp-rpc';
import { scheduleAt, type AmpSchedule } from '../../../src/core/planning/planning-core';
import { runCli } from '../../../src/cli/ocpi-hub-cli';
import { waitFor } from '../../support/network';
import { type OwnNetwork, rfidToken, startOwnNetwork } from '../../support/own-network';

/**
 * The planner live at a site with real ocpp-rpc chargers (1.6 and 2.0.1): absolute schedules, one
 * period per slot; an EMS lowering the site's capacity through its own key; booked power held; the
 * order of lowerings and raises checked on what the chargers received and when they answered.
 */

interface Received {
  charger: string;
  purpose: string;
  kind: string;
  transactionId?: number | string;
  startSchedule?: string;
  periods: { startPeriod: number; limit: number }[];
  receivedAt: number;
  answeredAt?: number;
  accepted?: boolean;
}

const SLOT_MS = 15 * 60_000;
const SITE = {
  name: 'Planned depot',
  time_zone: 'Europe/Amsterdam',
  limit: { amps: 32 },
  chargers: [
    { charger_id: 'PL16', connectors: [{ ocpp_connector: '1', phases: 3, max_amps: 32 }] },
    { charger_id: 'PL201', connectors: [{ ocpp_connector: '1/1', phases: 3, max_amps: 32 }] },
  ],
};

/** A received profile as a step function of wall-clock time (an absolute schedule or a constant). */
function scheduleOf(r: Received): AmpSchedule {
  const start = r.startSchedule ? Date.parse(r.startSchedule) : 0;
  return r.periods.map((p) => ({ from: start + p.startPeriod * 1000, amps: p.limit }));
}

describe('the planner live at a site', () => {
  let net: OwnNetwork;
  const received: Received[] = [];
  const delayMs: Record<string, number> = {};
  const refuse: Record<string, boolean> = {};
  const clients: Record<string, RPCClient> = {};
  let emsKey = '';
  let otherKey = '';
  let tx16 = 0;

  /** The profiles each charger has accepted as of `at` (performance.now()), latest per purpose. */
  const acceptedAt = (at: number) => {
    const latest = new Map<string, Map<string, Received>>();
    for (const r of received) {
      if (!r.accepted || r.answeredAt! > at) continue;
      if (!latest.has(r.charger)) latest.set(r.charger, new Map());
      latest.get(r.charger)!.set(r.purpose, r);
    }
    return latest;
  };
  /** The TxProfile a charger has in force (the one whose schedule a car follows). */
  const inForceAt = (at: number) => [...acceptedAt(at).values()].flatMap((byPurpose) => (byPurpose.get('TxProfile') ? [byPurpose.get('TxProfile')!] : []));
  /**
   * What a charger allows at instant t: 1.6 its TxProfile (else its TxDefaultProfile); 2.0.1 the lower
   * of its TxProfile and its station maximum (its one EVSE here; an ended transaction's TxProfile is
   * capped by the station maximum the hub lowered).
   */
  const allowedAt = (byPurpose: Map<string, Received>, t: number) => {
    const of = (purpose: string) => (byPurpose.get(purpose) ? scheduleAt(scheduleOf(byPurpose.get(purpose)!), t) : undefined);
    const station = of('ChargingStationMaxProfile');
    const tx = of('TxProfile') ?? of('TxDefaultProfile') ?? 0;
    return station === undefined ? tx : Math.min(tx, station);
  };
  /** The largest total any slot start in [from, until) gets from the profiles in force at `at`. */
  const worstTotal = (at: number, from: number, until: number) => {
    const chargers = [...acceptedAt(at).values()];
    let worst = 0;
    for (let t = from; t < until; t += SLOT_MS) worst = Math.max(worst, chargers.reduce((sum, c) => sum + allowedAt(c, t), 0));
    return Math.round(worst * 10) / 10;
  };
  const ems = (key: string) => axios.create({ baseURL: net.hub.url, headers: key ? { Authorization: `Bearer ${key}` } : {}, validateStatus: () => true });

  beforeAll(async () => {
    net = await startOwnNetwork({ emsps: ['NL/EM1'], evses: ['E1', 'E2', 'E3'] });
    await net.addCharger('PL16', 'ocpp1.6', 'SITE1', 'E1');
    await net.addCharger('PL201', 'ocpp2.0.1', 'SITE1', 'E2');
    await net.addCharger('PLX', 'ocpp1.6', 'SITE1', 'E3');
    for (const [id, protocol] of [['PL16', 'ocpp1.6'], ['PL201', 'ocpp2.0.1']] as const) {
      const client = await net.connect(id, protocol);
      clients[id] = client;
      client.handle('SetChargingProfile', async ({ params = {} }) => {
        const profile = params.csChargingProfiles ?? params.chargingProfile;
        const schedule = Array.isArray(profile.chargingSchedule) ? profile.chargingSchedule[0] : profile.chargingSchedule;
        const entry: Received = {
          charger: id,
          purpose: profile.chargingProfilePurpose,
          kind: profile.chargingProfileKind,
          transactionId: profile.transactionId,
          startSchedule: profile.chargingProfileKind === 'Absolute' ? schedule.startSchedule : undefined,
          periods: schedule.chargingSchedulePeriod.map((p: { startPeriod: number; limit: number }) => ({ startPeriod: p.startPeriod, limit: p.limit })),
          receivedAt: performance.now(),
        };
        received.push(entry);
        if (delayMs[id]) await new Promise((r) => setTimeout(r, delayMs[id]));
        entry.answeredAt = performance.now();
        entry.accepted = !refuse[id];
        return { status: refuse[id] ? 'Rejected' : 'Accepted' };
      });
      client.handle('ClearChargingProfile', async () => ({ status: 'Accepted' }));
    }
    for (const uid of ['CAR-A', 'CAR-B']) await net.pushToken('EM1', rfidToken(net.parties.EM1, uid));
  });
  afterAll(async () => {
    await net.close();
  });

  it('sends each car an absolute schedule by slot (equal neighbours one period) in the 1.6 and the 2.0.1 form', async () => {
    expect((await net.hub.admin.put('/admin/sites/PLANNED', SITE)).status).toBe(201);
    expect((await net.hub.admin.put('/admin/sites/OTHER', { name: 'Other', time_zone: 'Europe/Amsterdam', limit: { amps: 16 }, chargers: [{ charger_id: 'PLX', connectors: [{ ocpp_connector: '1', phases: 3, max_amps: 16 }] }] })).status).toBe(201);
    // Bad settings are refused and change nothing.
    const bad = await net.hub.admin.put('/admin/sites/PLANNED/planner', { enabled: 'yes', classes: [{ id: 'fleet', rank: 1 }, { id: 'fleet', rank: 2 }] });
    expect(bad.status).toBe(400);
    expect((await net.hub.admin.get('/admin/sites/PLANNED/planner')).data).toEqual({ enabled: false });
    const put = await net.hub.admin.put('/admin/sites/PLANNED/planner', { enabled: true, default_price_per_kwh: 0.3, classes: [{ id: 'fleet', rank: 1, tokens: ['CAR-B'] }] });
    expect(put.status).toBe(200);

    const started = await clients.PL16.call('StartTransaction', { connectorId: 1, idTag: 'CAR-A', meterStart: 0, timestamp: new Date().toISOString() });
    tx16 = (started as { transactionId: number }).transactionId;
    await clients.PL201.call('TransactionEvent', {
      eventType: 'Started',
      timestamp: new Date().toISOString(),
      triggerReason: 'Authorized',
      seqNo: 0,
      transactionInfo: { transactionId: 'TX-PL' },
      evse: { id: 1, connectorId: 1 },
      idToken: { idToken: 'CAR-B', type: 'ISO14443' },
    });
    // The EV's own needs (ISO 15118 through NotifyEVChargingNeeds): 11 kWh within four hours.
    const departure = new Date(Date.now() + 4 * 3_600_000).toISOString();
    await clients.PL201.call('NotifyEVChargingNeeds', {
      evseId: 1,
      chargingNeeds: { requestedEnergyTransfer: 'AC_three_phase', departureTime: departure, acChargingParameters: { energyAmount: 11040, evMinCurrent: 6, evMaxCurrent: 32, evMaxVoltage: 400 } },
    });
    const tx = (charger: string) => received.filter((r) => r.charger === charger && r.purpose === 'TxProfile' && r.kind === 'Absolute' && r.accepted);
    await waitFor(() => tx('PL16').length > 0 && tx('PL201').length > 0 && inForceAt(performance.now()).length === 2, 'absolute TxProfiles on both chargers');
    await waitFor(() => tx('PL201').at(-1)!.periods.length >= 2 && tx('PL16').at(-1)!.periods.length >= 2, 'the plan with car B\'s needs');

    const a = tx('PL16').at(-1)!;
    const b = tx('PL201').at(-1)!;
    expect(a.transactionId).toBe(tx16);
    expect(b.transactionId).toBe('TX-PL');
    for (const profile of [a, b]) {
      const start = Date.parse(profile.startSchedule!);
      expect(start % SLOT_MS).toBe(0); // the current slot's start, on the clock's quarter hours
      expect(start).toBeLessThanOrEqual(Date.now());
      expect(profile.periods[0].startPeriod).toBe(0);
      for (const p of profile.periods) expect(p.startPeriod % 900).toBe(0);
      // Equal neighbouring slots are one period; the plan ends at 0 A by the horizon (24 h), so a charger
      // offline past it stops rather than keeping its last value.
      expect(profile.periods.at(-1)!.limit).toBe(0);
      expect(profile.periods.at(-1)!.startPeriod).toBeLessThanOrEqual(24 * 3600);
    }
    // Fleet (CAR-B) is served first: the whole site (32 A) for the half hour its 11 kWh take, then nothing;
    // the standard car gets what is left, slot by slot.
    const bs = scheduleOf(tx('PL201').at(-1)!);
    const as = scheduleOf(tx('PL16').at(-1)!);
    const slot0 = Math.floor(Date.now() / SLOT_MS) * SLOT_MS;
    expect(scheduleAt(bs, slot0)).toBe(32);
    expect(scheduleAt(as, slot0)).toBe(0);
    expect(scheduleAt(bs, slot0 + 3 * SLOT_MS)).toBe(0);
    expect(scheduleAt(as, slot0 + 3 * SLOT_MS)).toBe(32);
    // The 2.0.1 station maximum is an absolute schedule too, the sum of its EVSE's per slot.
    const station = received.filter((r) => r.charger === 'PL201' && r.purpose === 'ChargingStationMaxProfile').at(-1)!;
    expect(station.kind).toBe('Absolute');
    expect(station.periods.at(-1)!.limit).toBe(0);
    const now = Date.now();
    expect(worstTotal(performance.now(), now, now + 24 * 3_600_000)).toBeLessThanOrEqual(32);
  });

  it('takes a site-scoped EMS key: refuses what it must, changes nothing then', async () => {
    const issued = await net.hub.admin.post('/admin/sites/PLANNED/ems-keys', { label: 'building EMS' });
    expect(issued.status).toBe(201);
    emsKey = issued.data.key;
    expect(emsKey).toMatch(/^ems_/);
    otherKey = (await net.hub.admin.post('/admin/sites/OTHER/ems-keys', { label: 'other EMS' })).data.key;
    const listed = await net.hub.admin.get('/admin/sites/PLANNED/ems-keys');
    expect(listed.data).toHaveLength(1);
    expect(JSON.stringify(listed.data)).not.toContain(emsKey);

    const body = { limit: 12, unit: 'A' };
    expect((await ems('').put('/ems/v1/sites/PLANNED/capacity', body)).status).toBe(401);
    expect((await ems('ems_wrong').put('/ems/v1/sites/PLANNED/capacity', body)).status).toBe(401);
    expect((await ems(otherKey).put('/ems/v1/sites/PLANNED/capacity', body)).status).toBe(404);
    expect((await ems(emsKey).put('/ems/v1/sites/NOSUCH/capacity', body)).status).toBe(404);
    for (const wrong of [{ limit: -1, unit: 'A' }, { limit: 10, unit: 'kW' }, { limit: 10 }, { limit: 10, unit: 'W', valid_until: '2020-01-01T00:00:00Z' }, { limit: 10, unit: 'W', extra: 1 }]) {
      const answer = await ems(emsKey).put('/ems/v1/sites/PLANNED/capacity', wrong);
      expect(`${JSON.stringify(wrong)} → ${answer.status}`).toBe(`${JSON.stringify(wrong)} → 400`);
      expect(answer.data.error.message).toBeTruthy();
    }
    expect((await ems(emsKey).get('/ems/v1/sites/PLANNED/capacity')).data).toEqual({ limit_w: null });
    expect((await net.hub.admin.get('/admin/sites/PLANNED/capacity')).data).toEqual({ limit_w: null });
  });

  it('after a lower EMS limit, what the chargers are allowed together never exceeds it once they accepted, and raises wait for the lowerings', async () => {
    delayMs.PL16 = 300;
    const sent = performance.now();
    const put = await ems(emsKey).put('/ems/v1/sites/PLANNED/capacity', { limit: 12 * 3 * 230, unit: 'W' });
    expect(put.status).toBe(200);
    expect(put.data.limit_w).toBe(8280);
    // The chargers follow within seconds.
    await waitFor(() => worstTotal(performance.now(), Date.now(), Date.now() + 24 * 3_600_000) <= 12, 'the site under 12 A at every instant', 5000);
    const after = received.filter((r) => r.receivedAt >= sent && r.purpose !== 'ChargingStationMaxProfile');
    expect(after.length).toBeGreaterThan(0);
    const lastLower = Math.max(...after.filter((r) => r.accepted).map((r) => r.answeredAt!));
    // From the last acceptance on, every instant of the next 24 h is at or below the newest limit.
    const now = Date.now();
    expect(worstTotal(lastLower, now, now + 24 * 3_600_000)).toBeLessThanOrEqual(12);

    // The EMS gives capacity back: one car loses its transaction, the other is raised only after the
    // lowering (the 2.0.1 station maximum to 0) was answered.
    delayMs.PL16 = 0;
    delayMs.PL201 = 300;
    expect((await ems(emsKey).delete('/ems/v1/sites/PLANNED/capacity')).status).toBe(204);
    await waitFor(() => worstTotal(performance.now(), Date.now(), Date.now() + SLOT_MS) > 12, 'capacity given back');
    const stopAt = performance.now();
    await clients.PL201.call('TransactionEvent', {
      eventType: 'Ended',
      timestamp: new Date().toISOString(),
      triggerReason: 'EVCommunicationLost',
      seqNo: 1,
      transactionInfo: { transactionId: 'TX-PL', stoppedReason: 'EVDisconnected' },
      evse: { id: 1, connectorId: 1 },
    });
    await waitFor(() => received.some((r) => r.charger === 'PL16' && r.receivedAt > stopAt && r.periods[0].limit === 32), 'car A raised to the whole site');
    const lowering = received.find((r) => r.charger === 'PL201' && r.receivedAt > stopAt && r.purpose === 'ChargingStationMaxProfile')!;
    const raise = received.find((r) => r.charger === 'PL16' && r.receivedAt > stopAt)!;
    expect(lowering.periods[0].limit).toBe(0);
    expect(raise.receivedAt).toBeGreaterThanOrEqual(lowering.answeredAt!);
    delayMs.PL201 = 0;
  });

  it('holds booked power: a capacity booking keeps its power out of the plan for its window', async () => {
    const from = Math.ceil((Date.now() + SLOT_MS) / SLOT_MS) * SLOT_MS;
    const until = from + 2 * SLOT_MS;
    const mark = performance.now();
    const booking = await net.hub.admin.post('/admin/bookings', { location_id: 'SITE1', from: new Date(from).toISOString(), until: new Date(until).toISOString(), power_kw: 11 });
    expect(booking.status).toBe(201);
    const booked = () => received.filter((r) => r.charger === 'PL16' && r.receivedAt > mark && r.accepted).at(-1);
    await waitFor(() => booked() && scheduleAt(scheduleOf(booked()!), from) < 32, 'the plan around the booking');
    const schedule = scheduleOf(booked()!);
    // 32 A × 3 × 230 V = 22,080 W less 11,000 W booked leaves 16.0 A.
    expect(scheduleAt(schedule, from)).toBeLessThanOrEqual(16);
    expect(scheduleAt(schedule, until - 1)).toBeLessThanOrEqual(16);
    expect(scheduleAt(schedule, from - 1)).toBe(32);
    expect(scheduleAt(schedule, until)).toBe(32);

    // Cancelled: the power is the car's again.
    const mark2 = performance.now();
    expect((await net.hub.admin.delete(`/admin/bookings/${booking.data.id}`)).status).toBe(200);
    await waitFor(() => {
      const last = received.filter((r) => r.charger === 'PL16' && r.receivedAt > mark2 && r.accepted).at(-1);
      return last && scheduleAt(scheduleOf(last), from) === 32;
    }, 'the booking\'s power back in the plan');
  });

  it('keeps a charger that refuses counted at what it accepted: no raise goes out', async () => {
    refuse.PL16 = true;
    const before = inForceAt(performance.now()).find((r) => r.charger === 'PL16')!;
    const mark = performance.now();
    expect((await ems(emsKey).put('/ems/v1/sites/PLANNED/capacity', { limit: 10, unit: 'A' })).status).toBe(200);
    await waitFor(async () => (await net.hub.admin.get('/admin/sites/PLANNED/state')).data.chargers.some((c: { charger_id: string; state: string }) => c.charger_id === 'PL16' && c.state === 'retrying'), 'PL16 retrying');
    expect(received.some((r) => r.charger === 'PL16' && r.receivedAt > mark)).toBe(true);
    expect(inForceAt(performance.now()).find((r) => r.charger === 'PL16')).toBe(before);
    refuse.PL16 = false;
    // The tick retries a retrying charger (the scheduler is off in tests: the test ticks).
    await waitFor(async () => {
      await net.hub.services.load.tick();
      return worstTotal(performance.now(), Date.now(), Date.now() + 24 * 3_600_000) <= 10;
    }, 'lowered once it accepts', 15_000);
    // The operator's CLI: the planner, the EMS limit, the keys.
    const cli = async (...argv: string[]) => {
      let out = '';
      let err = '';
      const code = await runCli([...argv, '--hub', net.hub.url], { out: (t) => (out += t), err: (t) => (err += t), env: { ADMIN_API_KEY: net.hub.adminKey } });
      return { code, out, err };
    };
    expect(JSON.parse((await cli('site', 'planner', 'PLANNED')).out)).toMatchObject({ enabled: true, classes: [{ id: 'fleet', rank: 1 }] });
    expect(JSON.parse((await cli('site', 'capacity', 'PLANNED')).out)).toMatchObject({ limit_w: 6900 });
    const issued = JSON.parse((await cli('site', 'ems-key', 'PLANNED', 'issue', '--label', 'grid operator')).out);
    expect(issued.key).toMatch(/^ems_/);
    expect((await ems(issued.key).get('/ems/v1/sites/PLANNED/capacity')).data.limit_w).toBe(6900);
    expect((await cli('site', 'ems-key', 'PLANNED', 'issue')).code).toBe(2);
    expect(JSON.parse((await cli('site', 'ems-key', 'PLANNED', 'list')).out)).toHaveLength(2);
    // A revoked key is refused at once.
    const keys = (await net.hub.admin.get('/admin/sites/PLANNED/ems-keys')).data as { id: string }[];
    expect((await net.hub.admin.post(`/admin/sites/PLANNED/ems-keys/${keys[0].id}/revoke`)).status).toBe(200);
    expect((await ems(emsKey).get('/ems/v1/sites/PLANNED/capacity')).status).toBe(401);
  });
});
