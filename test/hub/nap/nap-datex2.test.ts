/**
 * The DATEX II publications as a NAP pulls them over HTTP from a running hub: schema-valid, only the
 * published locations of the CPOs that opted in, and an own charger's status change published at
 * once (measured, against AFIR's one minute).
 */
import axios from 'axios';
import { convert } from 'xmlbuilder2';
import { datex2SchemaErrors } from '../../support/datex2-schema';
import { type OwnNetwork, startOwnNetwork } from '../../support/own-network';
import { HPC_TARIFF, hpcLocation, OWN_AD_HOC, OWN_PARTY } from './afir-support';

const arr = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

describe('NAP DATEX II publications', () => {
  let net: OwnNetwork;
  const get = (name: string) => axios.get(`${net.hub.url}/nap/datex2/v3/${name}`, { validateStatus: () => true, responseType: 'text' });

  beforeAll(async () => {
    net = await startOwnNetwork({ cpos: ['DE/CPA', 'DE/CPB'], emsps: ['NL/EM1'], agreements: [['DE/CPA', 'NL/EM1'], ['DE/CPB', 'NL/EM1']], evses: ['E1'] });
    await net.hub.services.tariffs.put(net.hub.services.ownCpo, undefined, OWN_AD_HOC.id, OWN_AD_HOC);
    const cpa = net.parties['DE/CPA'].ocpi;
    expect((await cpa.put('/receiver/tariffs/DE/CPA/HPC', HPC_TARIFF)).data.status_code).toBe(1000);
    expect((await cpa.put('/receiver/locations/DE/CPA/FAST1', hpcLocation('FAST1'))).data.status_code).toBe(1000);
    expect((await cpa.put('/receiver/locations/DE/CPA/HIDDEN', hpcLocation('HIDDEN', { publish: false }))).data.status_code).toBe(1000);
    const cpb = net.parties['DE/CPB'].ocpi;
    expect((await cpb.put('/receiver/locations/DE/CPB/CPBLOC', { ...hpcLocation('CPBLOC'), party_id: 'CPB' })).data.status_code).toBe(1000);
  });
  afterAll(() => net.close());

  it('has nothing to publish before a CPO opts in: no table (204), an empty status', async () => {
    expect((await get('table.xml')).status).toBe(204);
    const status = await get('status.xml');
    expect(status.status).toBe(200);
    expect(await datex2SchemaErrors(status.data)).toEqual([]);
    expect((await get('nothing.xml')).status).toBe(404);
  });

  it('publishes a schema-valid table of the opted-in CPOs\' published locations only', async () => {
    expect((await net.hub.admin.put('/admin/afir/nap/DE*CPA', { publish: true })).status).toBe(200);
    expect((await net.hub.admin.put(`/admin/afir/nap/${OWN_PARTY}`, { publish: true })).status).toBe(200);
    const table = await get('table.xml');
    expect(table.status).toBe(200);
    expect(table.headers['content-type']).toBe('application/xml; charset=utf-8');
    expect(await datex2SchemaErrors(table.data)).toEqual([]);
    const sites = arr((convert(table.data, { format: 'object' }) as any)['d2:payload']['egi:energyInfrastructureTable']['egi:energyInfrastructureSite']);
    expect(sites.map((s: any) => s['@id']).sort()).toEqual(['DE*CPA*FAST1', 'NL*HUB*SITE1']);
    const own = sites.find((s: any) => s['@id'] === 'NL*HUB*SITE1');
    const point = own['egi:energyInfrastructureStation']['egi:refillPoint'];
    expect(point['@id']).toBe('NL*HUB*EE1');
    // The own ad hoc price: 0.25 EUR/kWh and 2 EUR/h, 10 % VAT.
    expect(point['fac:rates']['fac:rateLineCollection']['fac:taxRate']).toBe('10');
    expect(arr(point['fac:rates']['fac:rateLineCollection']['fac:rateLine']).map((l: any) => l['fac:value'])).toEqual(['0.25', '2.00']);
  });

  it('publishes an own charger\'s status change at once', async () => {
    await net.addCharger('CP-NAP', 'ocpp1.6', 'SITE1', 'E1');
    const cp = await net.connect('CP-NAP', 'ocpp1.6');
    const statusOf = async () => {
      const status = await get('status.xml');
      const sites = arr((convert(status.data, { format: 'object' }) as any)['d2:payload']['egi:energyInfrastructureSiteStatus']);
      const own = sites.find((s: any) => s['fac:reference']['@id'] === 'NL*HUB*SITE1');
      return { xml: status.data as string, status: arr(own['egi:energyInfrastructureStationStatus']['egi:refillPointStatus'])[0]['egi:status'] as string };
    };
    const started = process.hrtime.bigint();
    await cp.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Charging' });
    let seen = await statusOf();
    while (seen.status !== 'charging' && process.hrtime.bigint() - started < 60_000_000_000n) seen = await statusOf();
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    expect(seen.status).toBe('charging');
    // AFIR asks for dynamic data "without delay"; the Delegated Regulation's one minute is the bound here. Measured: see docs/afir.md.
    expect(ms).toBeLessThan(60_000);
    console.log(`status.xml showed the charger's StatusNotification after ${ms.toFixed(0)} ms`);
    expect(await datex2SchemaErrors(seen.xml)).toEqual([]);
  });

  it('answers concurrent pulls from one build', async () => {
    // The catalogue read is held until every pull has reached the hub, so all eight wait on one build.
    const afir = net.hub.services.afir;
    const read = afir.cpos.bind(afir);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const reads = jest.spyOn(afir, 'cpos').mockImplementation(async (...args) => {
      await gate;
      return read(...args);
    });
    try {
      const pulls = Promise.all(Array.from({ length: 8 }, () => get('status.xml')));
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      release();
      const answers = await pulls;
      expect(answers.every((a) => a.status === 200)).toBe(true);
      expect(reads).toHaveBeenCalledTimes(1);
      expect(new Set(answers.map((a) => a.data)).size).toBe(1);
      // A pull after the build ended starts a build of its own.
      expect((await get('status.xml')).status).toBe(200);
      expect(reads).toHaveBeenCalledTimes(2);
    } finally {
      reads.mockRestore();
    }
  });

  it('drops a CPO that opts out from both publications at once', async () => {
    expect((await net.hub.admin.put('/admin/afir/nap/DE*CPA', { publish: false })).status).toBe(200);
    const status = (await get('status.xml')).data as string;
    expect(status).not.toContain('DE*CPA*FAST1');
    expect(status).toContain('NL*HUB*SITE1');
    expect((await get('table.xml')).data).not.toContain('DE*CPA');
  });
});
