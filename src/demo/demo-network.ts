import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { ownCatalogue } from '../own-cpo/charging/own-catalogue';
import type { Config } from '../foundation/config';
import { cdrLocation, cdrRecord, priceTransaction, sessionRecord, type TransactionFacts } from '../core/charging/ocpi-records';
import { lastCompletePeriod, periodOf } from '../core/settlement/period';
import type { Tariff } from '../core/pricing/tariff.schema';
import type { PartyRegistry } from '../hub/routing/parties';
import type { RoamingAgreements } from '../hub/routing/agreements';
import type { ObjectStore } from '../hub/routing/object-store';
import type { LocationsService } from '../hub/modules/locations/locations.service';
import type { TariffsService } from '../hub/modules/tariffs/tariffs.service';
import type { SettlementService } from '../hub/settlement/settlement.service';
import type { ChargersService } from '../own-cpo/chargers/chargers.service';
import type { RoleAddress } from '../hub/ocpi/party-address';
import { type ChargerPace, SimulatedCharger } from './demo-chargers';
import { DemoPartner, type DemoPartnerState } from './demo-partner';
import type { SitesService } from '../own-cpo/load/sites.service';
import { SiteBody } from '../own-cpo/load/site-config';

/** The demo partners call nothing but loopback; the hub may call exactly this range in demo mode. */
export const DEMO_OUTBOUND_ALLOW = '127.0.0.1/32';
const STATE_FILE = 'demo-network.json';

interface DemoChargerState {
  id: string;
  password: string;
  powerW: number;
  faultChance: number;
  /** Registered but never connected: the maintenance list's offline charger. */
  offline?: boolean;
  /** 1.6 unless told (a state saved before the demo had 2.0.1 stations). */
  protocol?: 'ocpp1.6' | 'ocpp2.0.1';
}

interface DemoState {
  partners: DemoPartnerState[];
  chargers: DemoChargerState[];
  idTags: string[];
}

export interface DemoNetwork {
  /** Lines for the start banner. */
  summary: string[];
  /** Stops the chargers and the partner CPO's status changes; the partners keep answering. */
  pauseSimulation(): Promise<void>;
  stop(): Promise<void>;
}

export type DemoDecision = { mode: 'off' } | { mode: 'seed' | 'resume'; config: Config };

/**
 * Whether `npm start` brings up the demo network: DEMO=false never; a data directory that holds a
 * demo network resumes it; otherwise DEMO=true, or an empty embedded database (a first start on a
 * fresh machine), seeds one. In demo mode the SSRF guard lets the hub call 127.0.0.1 (where the demo
 * partners listen) and nothing else that it refuses by default.
 */
export async function decideDemo(config: Config, db: DataSource): Promise<DemoDecision> {
  if (config.demo === false) return { mode: 'off' };
  const demoConfig = (): Config =>
    config.outbound.allow.includes(DEMO_OUTBOUND_ALLOW) ? config : { ...config, outbound: { ...config.outbound, allow: [...config.outbound.allow, DEMO_OUTBOUND_ALLOW] } };
  if (existsSync(path.join(config.dataDir, STATE_FILE))) return { mode: 'resume', config: demoConfig() };
  const [{ empty }]: { empty: boolean }[] = await db.query(
    `SELECT NOT EXISTS (SELECT 1 FROM parties WHERE NOT own) AND NOT EXISTS (SELECT 1 FROM chargers) AS empty`,
  );
  if (config.demo === true ? empty : empty && !config.databaseUrl) return { mode: 'seed', config: demoConfig() };
  return { mode: 'off' };
}

const EMSP = { countryCode: 'DE', partyId: 'VLT', name: 'Volt eMobility (demo eMSP)' };
const CPO = { countryCode: 'BE', partyId: 'CHB', name: 'Charge Belgium (demo CPO)' };
/** Days of the partner CPO's past sessions the demo starts with. */
const HISTORY_DAYS = 45;

const iso = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

function ocpiLocation(input: { countryCode: string; partyId: string; id: string; name: string; address: string; city: string; postalCode: string; country: string;
  latitude: string; longitude: string; timeZone: string; evses: { uid: string; evseId: string; tariffId: string; powerType: 'AC_3_PHASE' | 'DC'; amperage: number; voltage: number }[]; withTimestamps: boolean }) {
  const stamp = input.withTimestamps ? { last_updated: iso(new Date()) } : {};
  return {
    country_code: input.countryCode,
    party_id: input.partyId,
    id: input.id,
    publish: true,
    name: input.name,
    address: input.address,
    city: input.city,
    postal_code: input.postalCode,
    country: input.country,
    coordinates: { latitude: input.latitude, longitude: input.longitude },
    time_zone: input.timeZone,
    evses: input.evses.map((e) => ({
      uid: e.uid,
      evse_id: e.evseId,
      status: 'AVAILABLE',
      capabilities: ['RFID_READER', 'REMOTE_START_STOP_CAPABLE'],
      connectors: [
        {
          id: '1',
          standard: e.powerType === 'DC' ? 'IEC_62196_T2_COMBO' : 'IEC_62196_T2',
          format: e.powerType === 'DC' ? 'CABLE' : 'SOCKET',
          power_type: e.powerType,
          max_voltage: e.voltage,
          max_amperage: e.amperage,
          tariff_ids: [e.tariffId],
          ...stamp,
        },
      ],
      ...stamp,
    })),
    ...stamp,
  };
}

/** A start hour drawn like real charging: a morning and a larger evening peak, little at night. */
function startHour(): number {
  const weights = [1, 0.5, 0.3, 0.3, 0.3, 0.6, 1.5, 3, 4, 3, 2, 2, 2.5, 2, 2, 2.5, 3.5, 5, 6, 5, 3.5, 2.5, 2, 1.5];
  let pick = Math.random() * weights.reduce((a, b) => a + b, 0);
  for (let hour = 0; hour < 24; hour++) if ((pick -= weights[hour]) < 0) return hour;
  return 18;
}

/** What the demo seeds through: the same services the admin API and the partners' pushes use. */
export interface DemoDeps {
  db: DataSource;
  ownCpo: RoleAddress;
  parties: PartyRegistry;
  agreements: RoamingAgreements;
  store: ObjectStore;
  locations: LocationsService;
  tariffs: TariffsService;
  chargers: ChargersService;
  settlement: SettlementService;
  sites: SitesService;
}

/** Builds everything once: partners (real handshakes), agreements, own catalogue, chargers, tokens, the partner CPO's history, statements. */
async function seed(services: DemoDeps, hubUrl: string, versionsUrl: string, historyDays: number, log: Logger): Promise<{ state: DemoState; partners: DemoPartner[] }> {
  const own = services.ownCpo;
  const partners = [DemoPartner.create({ ...EMSP, role: 'EMSP' }), DemoPartner.create({ ...CPO, role: 'CPO' })];
  for (const partner of partners) {
    const { countryCode, partyId, role, name } = partner.state;
    const { tokenA } = await services.parties.create({ name, countryCode, partyId, roles: [{ countryCode, partyId, role }] });
    await partner.start();
    await partner.register(versionsUrl, tokenA);
    log.info({ party: `${countryCode}/${partyId}` }, 'demo: partner registered through the credentials handshake');
  }
  const [emsp, cpo] = partners;
  await services.agreements.add(own, EMSP);
  await services.agreements.add(CPO, EMSP);

  // The own CPO's catalogue, through the same services as /admin/tariffs and /admin/locations.
  const { ownTariffs, ownLocations } = ownCatalogue(services);
  await ownTariffs.put('DEMO-AC', { kind: 'simple', currency: 'EUR', vat: 21, prices: { energy: 0.39, time: 0.6, flat: 0.35 }, step_size: { time: 60 } });
  await ownTariffs.put('DEMO-PEAK', {
    kind: 'time_of_use',
    currency: 'EUR',
    vat: 21,
    prices: { energy: 0.45 },
    windows: [
      { days: ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY'], start_time: '17:00', end_time: '21:00', prices: { energy: 0.59 } },
      { start_time: '23:00', end_time: '07:00', prices: { energy: 0.32 } },
    ],
  });
  const ownSites = [
    { id: 'DEMO-UTRECHT', name: 'Utrecht Centraal P+R', address: 'Stationsplein 1', city: 'Utrecht', postalCode: '3511ED', latitude: '52.089440', longitude: '5.110230', tariffId: 'DEMO-AC', evses: 3 },
    { id: 'DEMO-AMSTERDAM', name: 'Amsterdam Zuidas garage', address: 'Gustav Mahlerplein 2', city: 'Amsterdam', postalCode: '1082MA', latitude: '52.338800', longitude: '4.872500', tariffId: 'DEMO-PEAK', evses: 3 },
  ];
  const chargers: DemoChargerState[] = [];
  for (const site of ownSites) {
    const evses = Array.from({ length: site.evses }, (_, i) => ({
      uid: `${site.id}-E${i + 1}`,
      evseId: `NL*HUB*E${site.id.slice(5, 8)}${i + 1}`,
      tariffId: site.tariffId,
      powerType: 'AC_3_PHASE' as const,
      amperage: 32,
      voltage: 230,
    }));
    await ownLocations.change({ locationId: site.id }, 'PUT', ocpiLocation({ ...site, countryCode: own.countryCode, partyId: own.partyId, country: 'NLD', timeZone: 'Europe/Amsterdam', evses, withTimestamps: false }));
    for (const evse of evses) {
      const id = `DEMO-${evse.uid.replace('DEMO-', '').replace(/-E/, '-')}`;
      const password = randomBytes(16).toString('hex');
      // Utrecht's first and third stations speak OCPP 2.0.1 (EVSE 1, connector 1), the others 1.6.
      const protocol = site.id === 'DEMO-UTRECHT' && (chargers.length === 0 || chargers.length === 2) ? ('ocpp2.0.1' as const) : ('ocpp1.6' as const);
      await services.chargers.register({ id, password, locationId: site.id, evses: [{ ocppConnector: protocol === 'ocpp1.6' ? '1' : '1/1', evseUid: evse.uid, connectorId: '1' }] });
      chargers.push({ id, password, powerW: 11_000 + Math.round(Math.random() * 11_000), faultChance: chargers.length === 1 ? 0.35 : 0.03, offline: chargers.length === 5, protocol });
    }
  }

  // Amsterdam is load-managed: a 30 kW grid connection shared by its three chargers, 15 kW in the
  // evening peak (17:00–21:00 local time), so the site load plot and profiles have something to show.
  await services.sites.put(
    'DEMO-AMSTERDAM',
    SiteBody.parse({
      name: 'Amsterdam Zuidas garage',
      time_zone: 'Europe/Amsterdam',
      limit: { kilowatts: 30 },
      time_windows: [{ id: 'evening-peak', start: '17:00', end: '21:00', limit: { kilowatts: 15 } }],
      chargers: chargers.filter((c) => c.id.startsWith('DEMO-AMSTERDAM')).map((c) => ({ charger_id: c.id, connectors: [{ ocpp_connector: '1', phases: 3, max_amps: 32 }] })),
    }),
  );

  // The eMSP's drivers.
  const idTags = ['DEMO0001', 'DEMO0002', 'DEMO0003', 'DEMO0004', 'DEMO0005', 'DEMO0006'];
  const emspApi = emsp.hub(hubUrl);
  for (const uid of idTags) {
    await emspApi.put(`/receiver/tokens/${EMSP.countryCode}/${EMSP.partyId}/${uid}?type=RFID`, {
      country_code: EMSP.countryCode,
      party_id: EMSP.partyId,
      uid,
      type: 'RFID',
      contract_id: `${EMSP.countryCode}-${EMSP.partyId}-C${uid.slice(4)}`,
      issuer: EMSP.name,
      valid: true,
      whitelist: 'ALLOWED',
      last_updated: iso(new Date()),
    });
  }

  await seedPartnerCpoHistory(cpo, hubUrl, idTags, historyDays, log);

  // Statements: the last complete period, and the open current one.
  const kind = services.settlement.periodKind;
  for (const period of [lastCompletePeriod(Date.now(), kind), periodOf(Date.now(), kind)]) {
    await services.settlement.run(period).catch((error: Error) => log.warn({ err: error.message, period: period.label }, 'demo: settlement run failed'));
  }
  return { state: { partners: partners.map((p) => p.state), chargers, idTags }, partners };
}

const CPO_TARIFF: Tariff = {
  country_code: CPO.countryCode,
  party_id: CPO.partyId,
  id: 'CHB-STD',
  currency: 'EUR',
  elements: [{ price_components: [{ type: 'ENERGY', price: 0.42, vat: 21, step_size: 1 }, { type: 'TIME', price: 1.2, vat: 21, step_size: 60 }] }],
  last_updated: '2025-01-01T00:00:00Z',
} as Tariff;

/** The partner CPO's past: a location, a tariff, and weeks of sessions and CDRs pushed through the hub to the eMSP. */
async function seedPartnerCpoHistory(cpo: DemoPartner, hubUrl: string, idTags: string[], historyDays: number, log: Logger): Promise<void> {
  const api = cpo.hub(hubUrl);
  await api.put(`/receiver/tariffs/${CPO.countryCode}/${CPO.partyId}/${CPO_TARIFF.id}`, CPO_TARIFF);
  const evses = Array.from({ length: 4 }, (_, i) => ({ uid: `CHB-GENT-${i + 1}`, evseId: `BE*CHB*E${i + 1}`, tariffId: CPO_TARIFF.id, powerType: (i < 2 ? 'DC' : 'AC_3_PHASE') as 'DC' | 'AC_3_PHASE', amperage: i < 2 ? 125 : 32, voltage: i < 2 ? 400 : 230 }));
  const location = ocpiLocation({ countryCode: CPO.countryCode, partyId: CPO.partyId, id: 'CHB-GENT', name: 'Gent Sint-Pieters', address: 'Koningin Maria Hendrikaplein 1', city: 'Gent', postalCode: '9000', country: 'BEL', latitude: '51.035900', longitude: '3.710600', timeZone: 'Europe/Brussels', evses, withTimestamps: true });
  await api.put(`/receiver/locations/${CPO.countryCode}/${CPO.partyId}/${location.id}`, location);

  const now = Date.now();
  const pushes: (() => Promise<unknown>)[] = [];
  let n = 0;
  for (let day = historyDays; day >= 0; day--) {
    const midnight = new Date(now - day * 86_400_000);
    midnight.setUTCHours(0, 0, 0, 0);
    const sessions = 4 + Math.floor(Math.random() * 8);
    for (let i = 0; i < sessions; i++) {
      const startedAt = new Date(midnight.getTime() + startHour() * 3_600_000 + Math.floor(Math.random() * 3_600_000));
      const evse = evses[Math.floor(Math.random() * evses.length)];
      const powerW = evse.powerType === 'DC' ? 50_000 * (0.6 + Math.random() * 0.4) : 11_000 * (0.6 + Math.random() * 0.4);
      const minutes = evse.powerType === 'DC' ? 15 + Math.random() * 35 : 45 + Math.random() * 180;
      const stoppedAt = new Date(startedAt.getTime() + Math.round(minutes) * 60_000);
      if (stoppedAt.getTime() > now - 60_000) continue;
      const energyWh = Math.round((powerW * minutes) / 60);
      const uid = idTags[Math.floor(Math.random() * idTags.length)];
      const sessionId = `CHB-${startedAt.getTime().toString(36).toUpperCase()}-${++n}`;
      const facts: TransactionFacts & { stoppedAt: Date } = {
        owner: CPO,
        sessionId,
        startedAt,
        stoppedAt,
        meterStartWh: 0,
        meterStopWh: energyWh,
        readings: [],
        cdrToken: { country_code: EMSP.countryCode, party_id: EMSP.partyId, uid, type: 'RFID', contract_id: `${EMSP.countryCode}-${EMSP.partyId}-C${uid.slice(4)}` },
        authMethod: 'WHITELIST',
        locationId: location.id,
        evseUid: evse.uid,
        connectorId: '1',
        tariff: CPO_TARIFF,
        timeZone: location.time_zone,
        currency: 'EUR',
      };
      const priced = priceTransaction(facts, stoppedAt);
      const session = { ...sessionRecord(facts, priced, stoppedAt), status: 'COMPLETED' };
      const cdr = cdrRecord(facts, priced, cdrLocation(location, evse.uid, '1')!, stoppedAt) as Record<string, any>;
      // Now and then the CPO bills more than its tariff says: the hub's re-rating flags these (mismatches).
      if (n % 17 === 0) cdr.total_cost = { excl_vat: Math.round((cdr.total_cost.excl_vat + 1.5) * 100) / 100, incl_vat: Math.round((cdr.total_cost.incl_vat + 1.82) * 100) / 100 };
      pushes.push(async () => {
        await api.put(`/receiver/sessions/${CPO.countryCode}/${CPO.partyId}/${sessionId}`, session);
        await api.post('/receiver/cdrs', cdr);
      });
    }
  }
  // A few at a time: a partner's back office catching up, not a flood.
  for (let i = 0; i < pushes.length; i += 8) await Promise.all(pushes.slice(i, i + 8).map((push) => push()));
  log.info({ sessions: pushes.length }, "demo: the partner CPO's history pushed through the hub");
}

/**
 * Starts (or resumes) the demo network beside a running hub: partners on 127.0.0.1, simulated
 * chargers, and a partner CPO whose EVSEs change status now and then.
 */
/** Every how many pushes the demo eMSP answers 503. */
const FLAKY_EVERY = 15;

export async function startDemo(services: DemoDeps, options: { mode: 'seed' | 'resume'; hubUrl: string; ocppUrl: string; versionsUrl: string; dataDir: string; log: Logger; historyDays?: number; pace?: ChargerPace }): Promise<DemoNetwork> {
  const { log } = options;
  const file = path.join(options.dataDir, STATE_FILE);
  let state: DemoState;
  const partners: DemoPartner[] = [];
  if (options.mode === 'resume') {
    state = JSON.parse(readFileSync(file, 'utf8')) as DemoState;
    for (const saved of state.partners) {
      const partner = new DemoPartner(saved);
      await partner.start().catch((error: Error) => log.warn({ err: error.message, party: saved.partyId }, 'demo: a partner could not listen on its port again'));
      partners.push(partner);
    }
  } else {
    const seeded = await seed(services, options.hubUrl, options.versionsUrl, options.historyDays ?? HISTORY_DAYS, log);
    state = seeded.state;
    partners.push(...seeded.partners);
    // Partner tokens and charger passwords: readable by this user only.
    writeFileSync(file, JSON.stringify(state, null, 2), { mode: 0o600 });
  }

  // The eMSP fails now and then, so the outbox's retries, partner health and the traffic view have
  // something true to show: every FLAKY_EVERY-th push it is sent is answered 503 (the retry succeeds).
  const flaky = partners.find((p) => p.options.role === 'EMSP');
  if (flaky) {
    let pushes = 0;
    flaky.intercept = (req, res) => {
      if (req.method === 'GET' || /\/(credentials|versions)$/.test(req.path) || ++pushes % FLAKY_EVERY !== 0) return false;
      res.writeHead(503, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ status_code: 3000, status_message: 'demo: briefly unavailable (the demo eMSP fails now and then)', timestamp: new Date().toISOString() }));
      return true;
    };
  }

  const chargers = state.chargers
    .filter((c) => !c.offline)
    .map((c) => new SimulatedCharger({ id: c.id, password: c.password, ocppUrl: options.ocppUrl, idTags: state.idTags, powerW: c.powerW, faultChance: c.faultChance, pace: options.pace, protocol: c.protocol, log }));
  chargers.forEach((c) => c.start());

  // The partner CPO's EVSEs: a status change every 20 s, pushed like a real CPO's.
  const cpoState = state.partners.find((p) => p.role === 'CPO')!;
  const cpoApi = new DemoPartner(cpoState).hub(options.hubUrl);
  const statusTimer = setInterval(() => {
    const uid = `CHB-GENT-${1 + Math.floor(Math.random() * 4)}`;
    const status = ['AVAILABLE', 'CHARGING', 'CHARGING', 'AVAILABLE', 'OUTOFORDER'][Math.floor(Math.random() * 5)];
    void cpoApi
      .patch(`/receiver/locations/${CPO.countryCode}/${CPO.partyId}/CHB-GENT/${uid}`, { status, last_updated: iso(new Date()) })
      .catch((error: Error) => log.debug({ err: error.message }, 'demo: EVSE status push failed'));
  }, 20_000);

  const pauseSimulation = async () => {
    clearInterval(statusTimer);
    await Promise.all(chargers.map((c) => c.stop()));
  };
  return {
    summary: [
      `  Demo network:       ${state.partners.map((p) => `${p.countryCode}/${p.partyId} (${p.role}, ${`http://127.0.0.1:${p.port}`})`).join(', ')}`,
      `                      ${chargers.length} simulated OCPP chargers (${state.chargers.filter((c) => !c.offline && c.protocol === 'ocpp2.0.1').length} speak 2.0.1, the others 1.6) charging ${state.idTags.length} ${EMSP.countryCode}/${EMSP.partyId} drivers; DEMO=false turns it off`,
      `  WARNING: demo mode lets the hub call ${DEMO_OUTBOUND_ALLOW} (the demo partners); never use it with real partners.`,
    ],
    pauseSimulation,
    async stop() {
      await pauseSimulation();
      await Promise.all(partners.map((p) => p.stop()));
    },
  };
}
