import { existsSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { CHROMIUM, launchChromium, signInToDashboard } from '../support/browser';
import { waitFor } from '../support/network';
import { OWN, type OwnNetwork, startOwnNetwork } from '../support/own-network';
import { startPartner, type TestPartner } from '../support/partner';

const chromiumInstalled = existsSync(CHROMIUM);
if (!chromiumInstalled) process.stdout.write(`dashboard console edits browser test skipped: ${CHROMIUM} is not installed\n`);
const describeWithChromium = chromiumInstalled ? describe : describe.skip;

jest.setTimeout(90_000);

/** Where the eMSP (2.2.1) gets the own location. */
const SITE1_AT_EMSP = `/ocpi/2.2.1/locations/${OWN.countryCode}/${OWN.partyId}/SITE1`;

/** A load-managed site: a 30 kW grid connection, 15 kW in the evening peak, one registered charger. */
const DEPOT = {
  name: 'Depot Utrecht',
  time_zone: 'Europe/Amsterdam',
  limit: { kilowatts: 30 },
  time_windows: [{ id: 'peak', start: '17:00', end: '21:00', limit: { kilowatts: 15 } }],
  chargers: [{ charger_id: 'DEP-1', connectors: [{ ocpp_connector: '1', phases: 3, max_amps: 32 }] }],
};

/**
 * The console's actions in Chromium that dashboard-console.test.ts does not drive: editing an own
 * location and a load-managed site (the JSON Edit puts in the box, saved as the route's PUT), a
 * successful connect to a real partner's versions URL; each with a refused variant that changes
 * nothing; and refusals of the other forms (tariff, price preview, settlement run, a stale row).
 */
describeWithChromium('the console in Chromium: editing the own catalogue, connecting to a partner', () => {
  let net: OwnNetwork;
  let browser: Browser;
  let page: Page;
  let partner: TestPartner | undefined;
  const api = async (url: string) => (await net.hub.admin.get(url)).data;
  const result = () => page.locator('#console-result').textContent();

  async function redrawn(action: () => Promise<unknown>) {
    const before = await page.locator('body').getAttribute('data-console');
    await action();
    await waitFor(async () => {
      const now = await page.locator('body').getAttribute('data-console');
      return now !== null && now !== before;
    }, 'the console to redraw', 15_000).catch(async (error) => {
      throw new Error(`${(error as Error).message}; the console says: ${await result()}`);
    });
  }
  /** Opens a console view; the one already shown is drawn again (the same hash is no hashchange). */
  const open = (hash: string) =>
    redrawn(async () => ((await page.evaluate<string>('location.hash')) === hash ? page.click('#refresh') : page.goto(`${net.hub.url}/dashboard${hash}`)));
  /** Clears the result line before an action, so a refusal awaited is this action's, not the last one's. */
  const clearResult = () => page.evaluate("document.querySelector('#console-result').textContent = ''");
  const refused = async () => waitFor(async () => {
    const text = (await result()) ?? '';
    return /^(Refused|Not JSON)/.test(text) && text;
  }, 'the refusal');
  /** Clicks Edit on a row and returns the JSON the console put in the box. */
  async function edit(kind: 'location' | 'site', id: string): Promise<Record<string, any>> {
    await page.locator(`tr[data-${kind}="${id}"] [data-action=edit]`).click();
    return JSON.parse(await page.locator(`#${kind}-form textarea`).inputValue());
  }
  async function save(kind: 'location' | 'site', body: unknown) {
    await clearResult();
    await page.fill(`#${kind}-form textarea`, typeof body === 'string' ? body : JSON.stringify(body, null, 2));
    await page.click(`#${kind}-form button`);
  }
  /** Every amount the page shows in EUR has the currency's two decimals (no `7` or `14.1`). */
  async function eurosWithTwoDecimals(): Promise<string[]> {
    const amounts = (await page.locator('#console td, #console dd').allTextContents()).map((t) => t.trim()).filter((t) => /^-?\d+(?:\.\d+)? EUR$/.test(t));
    for (const amount of amounts) expect(amount).toMatch(/^-?\d+\.\d\d EUR$/);
    return amounts;
  }

  beforeAll(async () => {
    net = await startOwnNetwork({ emsps: ['DE/BEM'], hub: { logLevel: 'warn' } });
    expect((await net.hub.admin.post('/admin/chargers', { id: 'DEP-1', password: 'console-edit-password-1' })).status).toBe(201);
    expect((await net.hub.admin.put('/admin/sites/DEPOT', DEPOT)).status).toBe(201);
    await waitFor(() => net.parties.BEM.partner.received('PUT', SITE1_AT_EMSP).length > 0, 'the own location at the eMSP');
    const launched = await launchChromium();
    if ('unavailable' in launched) throw new Error(launched.unavailable);
    browser = launched.browser;
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await signInToDashboard(page, net.hub.url, net.hub.adminKey);
    await page.locator('#open-console').waitFor({ state: 'visible' });
    await redrawn(() => page.click('#open-console'));
  });

  afterAll(async () => {
    await browser?.close();
    await partner?.stop();
    await net?.close();
  });

  it('edits an own location (stored and pushed to the eMSP), and shows a refused edit that changes nothing', async () => {
    await open('#/console/catalogue');
    const shown = await edit('location', 'SITE1');
    expect(shown).toMatchObject({ id: 'SITE1', name: 'Hub site SITE1' });
    const pushesBefore = net.parties.BEM.partner.received('PUT', SITE1_AT_EMSP).length;

    await redrawn(() => save('location', { ...shown, name: 'Hub site, renamed in the console' }));
    expect(await result()).toBe('Saved location SITE1.');
    expect((await api('/admin/locations/SITE1')).name).toBe('Hub site, renamed in the console');
    expect(await page.locator('tr[data-location="SITE1"]').textContent()).toContain('Hub site, renamed in the console');
    // Pushed to the eMSP like any change of a CPO's location.
    const pushed = await waitFor(() => net.parties.BEM.partner.received('PUT', SITE1_AT_EMSP).slice(pushesBefore).find((r) => (r.body as { name?: string }).name === 'Hub site, renamed in the console'), 'the renamed location at the eMSP');
    expect(pushed.body).toMatchObject({ id: 'SITE1', country_code: 'NL', party_id: 'HUB' });

    // Refused: coordinates that are not a decimal degree. The page shows the hub's message; nothing changed.
    const stored = JSON.stringify(await api('/admin/locations/SITE1'));
    const pushesNow = net.parties.BEM.partner.received('PUT', SITE1_AT_EMSP).length;
    await edit('location', 'SITE1'); // the saved form was drawn again, empty
    await save('location', { ...shown, name: 'never stored', coordinates: { latitude: 'north', longitude: '5.110230' } });
    const refusal = await refused();
    const direct = await net.hub.admin.put('/admin/locations/SITE1', { ...shown, name: 'never stored', coordinates: { latitude: 'north', longitude: '5.110230' } });
    expect(direct.status).toBe(400);
    expect(refusal).toBe(`Refused (400): ${direct.data.error.message}`);
    expect(refusal).toMatch(/latitude/);
    expect(JSON.stringify(await api('/admin/locations/SITE1'))).toBe(stored);
    expect(net.parties.BEM.partner.received('PUT', SITE1_AT_EMSP)).toHaveLength(pushesNow);

    // Not JSON at all: refused by the page, nothing sent.
    await redrawn(() => page.click('#refresh'));
    await edit('location', 'SITE1');
    await save('location', '{ "name": ');
    expect(await refused()).toMatch(/^Not JSON: /);
    expect(JSON.stringify(await api('/admin/locations/SITE1'))).toBe(stored);
  });

  it('edits a load-managed site (its limit and peak window, which the allocation follows), and shows a refused edit that changes nothing', async () => {
    await open('#/console/catalogue');
    const shown = await edit('site', 'DEPOT');
    // The box holds the body the site's PUT takes: the site as written, without its id and times.
    expect(shown).toEqual(DEPOT);
    const capacity = async () => (await api('/admin/sites/DEPOT/state')).allocation.nodes.find((n: { node_id: string }) => n.node_id === 'DEPOT').capacity_amps as number;
    const before = await capacity();

    const edited = { ...shown, limit: { kilowatts: 20 }, time_windows: [{ ...shown.time_windows[0], limit: { kilowatts: 10 } }] };
    await redrawn(() => save('site', edited));
    expect(await result()).toBe('Saved site DEPOT.');
    const site = await api('/admin/sites/DEPOT');
    expect(site).toMatchObject({ id: 'DEPOT', limit: { kilowatts: 20 }, time_windows: [{ id: 'peak', limit: { kilowatts: 10 } }] });
    // The allocation is computed against the new limit (20 kW, or 10 kW in the peak window, is less than 30 or 15).
    expect(await capacity()).toBeLessThan(before);

    // Refused: a charger that is not registered. The hub's message; the site stays as saved.
    const stored = JSON.stringify(await api('/admin/sites/DEPOT'));
    await edit('site', 'DEPOT');
    const bad = { ...edited, chargers: [{ charger_id: 'NOPE', connectors: [{ ocpp_connector: '1', phases: 3, max_amps: 16 }] }] };
    await save('site', bad);
    const refusal = await refused();
    const direct = await net.hub.admin.put('/admin/sites/DEPOT', bad);
    expect(direct.status).toBe(400);
    expect(refusal).toBe(`Refused (400): ${direct.data.error.message}`);
    expect(refusal).toMatch(/Not registered chargers: NOPE/);
    expect(JSON.stringify(await api('/admin/sites/DEPOT'))).toBe(stored);
  });

  it('connects to a real partner\'s versions URL: a wrong token is refused and changes nothing, its token A connects', async () => {
    const created = await net.hub.admin.post('/admin/parties', { country_code: 'NL', party_id: 'SND', roles: ['CPO'], name: 'Sender CPO' });
    expect(created.status).toBe(201);
    partner = await startPartner({ countryCode: 'NL', partyId: 'SND', role: 'CPO' });
    await open('#/console/partners');
    const connect = async (token: string) => {
      await clearResult();
      await page.locator('tr[data-party="NL/SND"] [data-action=connect]').click();
      await page.fill('#connect-form input[name=versions_url]', partner!.versionsUrl);
      await page.fill('#connect-form input[name=token]', token);
      await page.click('#connect-form button');
    };

    // A token the partner does not know: it answers 401, the hub says so (502), the party stays PLANNED.
    await connect('not-their-token');
    const refusal = await refused();
    expect(refusal).toMatch(/^Refused \(502\): .*401/);
    expect((await api(`/admin/parties/${created.data.id}`)).status).toBe('PLANNED');
    expect(partner.hubToken).toBeUndefined();

    const theirTokenA = partner.newToken();
    await redrawn(() => connect(theirTokenA));
    expect(await result()).toBe('Connected to NL/SND: OCPI 2.2.1, CONNECTED.');
    expect((await api(`/admin/parties/${created.data.id}`)).status).toBe('CONNECTED');
    // The real handshake happened: the partner's token A is spent, it holds the hub's token for calls back.
    expect(partner.acceptedTokens.has(theirTokenA)).toBe(false);
    expect(partner.hubToken).toEqual(expect.any(String));
    expect(partner.received('POST', '/ocpi/2.2.1/credentials')).toHaveLength(1);
    expect(await page.locator('tr[data-party="NL/SND"]').textContent()).toContain('CONNECTED');
  });

  it('shows the hub\'s refusal of a bad tariff, a bad price preview, a bad settlement period and an action on a partner deleted meanwhile', async () => {
    await open('#/console/catalogue');
    // A tariff in a currency that does not exist: refused, not stored.
    await clearResult();
    await page.fill('#tariff-form input[name=id]', 'BAD-CUR');
    await page.fill('#tariff-form textarea', JSON.stringify({ kind: 'simple', currency: 'EURO', vat: 21, prices: { energy: 0.35 } }));
    await page.click('#tariff-form button');
    expect(await refused()).toMatch(/^Refused \(400\): .*currency/);
    expect((await net.hub.admin.get('/admin/tariffs/BAD-CUR')).status).toBe(404);

    // The price preview of the own tariff: figures with the currency's decimals; a negative kWh refused.
    await page.selectOption('#preview-form select[name=tariff]', 'OWN-AC');
    await page.fill('#preview-form input[name=kwh]', '7');
    await page.fill('#preview-form input[name=minutes]', '30');
    await page.click('#preview-form button');
    await page.locator('[data-figure="preview-excl"]').waitFor();
    // 7 kWh × 0.25 + 0.5 h × 2.00 = 2.75 excl. VAT.
    expect(await page.locator('[data-figure="preview-excl"]').textContent()).toBe('2.75 EUR');
    expect((await eurosWithTwoDecimals()).length).toBeGreaterThanOrEqual(6);
    await page.fill('#preview-form input[name=kwh]', '-5');
    await page.click('#preview-form button');
    await page.locator('#price-preview .error-text').waitFor();
    const direct = await net.hub.admin.get('/admin/tariffs/OWN-AC/price-preview?kwh=-5&minutes=30&parking_minutes=0');
    expect(direct.status).toBe(400);
    expect(await page.locator('#price-preview .error-text').textContent()).toBe(`Refused (400): ${direct.data.error.message}`);

    // Settlement for a period that is not one.
    await open('#/console/statements');
    await clearResult();
    await page.fill('#run-form input[name=period]', 'last tuesday');
    await page.click('#run-form button');
    expect(await refused()).toMatch(/^Refused \(400\): .*period/);
    expect(await api('/admin/settlement/statements')).toEqual([]);

    // A row the page still shows, of a partner another operator deleted meanwhile: 404, said as such.
    const gone = (await net.hub.admin.post('/admin/parties', { country_code: 'NL', party_id: 'GON', roles: ['EMSP'], name: 'Gone' })).data;
    await open('#/console/partners');
    expect((await net.hub.admin.delete(`/admin/parties/${gone.id}`)).status).toBe(200);
    await clearResult();
    await page.locator('tr[data-party="NL/GON"] [data-action=suspend]').click();
    await page.locator('#console-confirm').waitFor({ state: 'visible' });
    await page.click('#console-confirm-yes');
    expect(await refused()).toMatch(/^Refused \(404\): /);
  });
});
