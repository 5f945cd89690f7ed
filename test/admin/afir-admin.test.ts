/**
 * The AFIR admin API against a real hub: the price lint and the readiness of the own CPO's and a
 * partner CPO's locations, and the NAP opt-in per CPO.
 */
import { type OwnNetwork, OWN, startOwnNetwork } from '../support/own-network';
import { HPC_TARIFF, hpcLocation, OWN_AD_HOC, OWN_PARTY } from '../hub/nap/afir-support';

interface Report { owner: string; location_id: string; findings: { rule: string; severity: string; article: string }[] }

describe('admin API: AFIR', () => {
  let net: OwnNetwork;
  beforeAll(async () => {
    net = await startOwnNetwork({ cpos: ['DE/CPA'], emsps: ['NL/EM1'], agreements: [['DE/CPA', 'NL/EM1']] });
    const cpa = net.parties['DE/CPA'].ocpi;
    expect((await cpa.put(`/receiver/tariffs/DE/CPA/HPC`, HPC_TARIFF)).data.status_code).toBe(1000);
    expect((await cpa.put(`/receiver/locations/DE/CPA/FAST1`, hpcLocation('FAST1'))).data.status_code).toBe(1000);
  });
  afterAll(() => net.close());

  const rules = (r: Report) => r.findings.map((f) => `${f.rule}:${f.severity}`);

  it('lints every CPO\'s locations: the own tariff is no ad hoc tariff, the partner\'s charges a session fee at 150 kW', async () => {
    const all = await net.hub.admin.get('/admin/afir/tariffs');
    expect(all.status).toBe(200);
    const byLocation = Object.fromEntries((all.data as Report[]).map((r) => [`${r.owner} ${r.location_id}`, rules(r)]));
    expect(byLocation).toEqual({
      'NL/HUB SITE1': ['ad-hoc-tariff:error', 'ad-hoc-tariff:error'],
      'DE/CPA FAST1': ['high-power-only-kwh-and-occupancy:error'],
    });
    const fast = (all.data as Report[]).find((r) => r.location_id === 'FAST1')!;
    expect(fast.findings[0].article).toBe('Art. 5(3)');
    expect(fast).toMatchObject({ evses: [{ evse_uid: 'FAST1-1', power_kw: 150, regime: 'high', ad_hoc_tariff_ids: ['HPC'] }] });
  });

  it('sees a fixed tariff at once, and filters by location and owner', async () => {
    await net.hub.services.tariffs.put(net.hub.services.ownCpo, undefined, OWN_AD_HOC.id, OWN_AD_HOC);
    const site = await net.hub.admin.get('/admin/afir/tariffs/SITE1');
    expect(site.status).toBe(200);
    // 22 kW AC: per kWh, then per minute — the order of Art. 5(4).
    expect((site.data as Report[]).map(rules)).toEqual([[]]);
    expect((await net.hub.admin.get('/admin/afir/tariffs?location=FAST1')).data).toHaveLength(1);
    expect((await net.hub.admin.get('/admin/afir/tariffs?owner=DE*CPA')).data.map((r: Report) => r.location_id)).toEqual(['FAST1']);
    expect((await net.hub.admin.get('/admin/afir/tariffs?owner=DE/CPA&location=SITE1')).data).toEqual([]);
  });

  it('refuses bad filters and unknown locations', async () => {
    expect((await net.hub.admin.get('/admin/afir/tariffs/NOPE')).status).toBe(404);
    expect((await net.hub.admin.get('/admin/afir/readiness/NOPE')).status).toBe(404);
    const bad = await net.hub.admin.get('/admin/afir/tariffs?owner=DECPA');
    expect(bad.status).toBe(400);
    expect(bad.data.error.message).toMatch(/COUNTRY\*PARTY/);
    expect((await net.hub.admin.get('/admin/afir/readiness?location=a&location=b')).status).toBe(400);
  });

  it('keeps the NAP opt-in per CPO, own and partner, and the readiness follows it', async () => {
    const before = await net.hub.admin.get('/admin/afir/readiness/FAST1');
    expect(before.data[0].checks.find((c: { rule: string }) => c.rule === 'nap-published')).toMatchObject({ ok: false, article: 'Art. 20(2)' });
    expect((await net.hub.admin.get('/admin/afir/nap')).data).toEqual([
      { party: 'NL/HUB', own: true, publish: false, changed_at: null },
      { party: 'DE/CPA', own: false, publish: false, changed_at: null },
    ]);
    const put = await net.hub.admin.put('/admin/afir/nap/DE*CPA', { publish: true });
    expect(put.status).toBe(200);
    expect(put.data).toMatchObject({ party: 'DE/CPA', own: false, publish: true });
    expect((await net.hub.admin.put(`/admin/afir/nap/${OWN_PARTY}`, { publish: true })).data).toMatchObject({ party: `${OWN.countryCode}/${OWN.partyId}`, own: true, publish: true });
    expect((await net.hub.admin.get('/admin/afir/nap/de-cpa')).data.publish).toBe(true);

    const after = await net.hub.admin.get('/admin/afir/readiness/FAST1');
    const failing = after.data[0].checks.filter((c: { ok: boolean }) => !c.ok).map((c: { rule: string }) => c.rule);
    expect(failing).toEqual(['high-power-only-kwh-and-occupancy']);
    expect(after.data[0]).toMatchObject({ owner: 'DE/CPA', ready: false, errors: 1, warnings: 1 }); // the warning: no help_phone

    // The own site: no operator, no opening hours, no card payment needed at 22 kW.
    const own = await net.hub.admin.get('/admin/afir/readiness?owner=NL*HUB');
    expect(own.data.map((r: { location_id: string }) => r.location_id)).toEqual(['SITE1']);
    expect(own.data[0].checks.filter((c: { ok: boolean }) => !c.ok).map((c: { rule: string }) => c.rule)).toEqual(['opening-hours', 'operator-contact']);
  });

  it('reads help_phone from an own location written with it (a 2.3.0 field the hub form keeps as an extra field)', async () => {
    const patch = await net.hub.admin.patch('/admin/locations/SITE1', { help_phone: '+31301234567', operator: { name: 'Hub Laden' }, opening_times: { twentyfourseven: true }, parking_type: 'PARKING_LOT' });
    expect(patch.status).toBe(200);
    const report = (await net.hub.admin.get('/admin/afir/readiness/SITE1')).data[0];
    expect(report.checks.filter((c: { findings: unknown[] }) => c.findings.length).map((c: { rule: string }) => c.rule)).toEqual([]);
    expect(report.ready).toBe(true);
  });

  it('refuses a bad NAP decision or an unknown CPO and changes nothing', async () => {
    expect((await net.hub.admin.put('/admin/afir/nap/DE*CPA', { publish: 'yes' })).status).toBe(400);
    expect((await net.hub.admin.put('/admin/afir/nap/DE*CPA', {})).status).toBe(400);
    expect((await net.hub.admin.put('/admin/afir/nap/NL*EM1', { publish: true })).status).toBe(404); // an eMSP, no CPO role
    expect((await net.hub.admin.get('/admin/afir/nap/XX*NOP')).status).toBe(404);
    expect((await net.hub.admin.put('/admin/afir/nap/D*CPA', { publish: true })).status).toBe(400);
    expect((await net.hub.admin.get('/admin/afir/nap/DE*CPA')).data.publish).toBe(true);
  });
});
