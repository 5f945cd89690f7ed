import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import axios from 'axios';
import { runCli } from '../../../src/cli/ocpi-hub-cli';
import { SHORT_CODE } from '../../../src/core/driver-page/evse-short-codes';
import { type FakeStripe, startFakeStripe, WEBHOOK_SECRET } from '../../support/fake-stripe';
import { type OwnNetwork, startOwnNetwork } from '../../support/own-network';
import { putOwnLocations, startTestHub } from '../../support/test-hub';

/** The driver's page over plain HTTP (what no browser shows): codes and stickers, languages, cookies, an expired Checkout. */
describe('the driver\'s page and the sticker sheet over HTTP', () => {
  let stripe: FakeStripe;
  let net: OwnNetwork;
  const http = axios.create({ validateStatus: () => true, maxRedirects: 0 });
  let code: string;

  beforeAll(async () => {
    stripe = await startFakeStripe();
    net = await startOwnNetwork({ emsps: ['NL/EM1'], evses: ['E1', 'E2'], hub: { env: { ...stripe.env, PAYMENT_HOLD_AMOUNT: '20.00' } } });
    stripe.server.setWebhook({ url: `${net.hub.url}/stripe/webhook`, secret: WEBHOOK_SECRET });
    await net.addCharger('HTTP1', 'ocpp1.6', 'SITE1', 'E1');
    const cp = await net.connect('HTTP1', 'ocpp1.6');
    await cp.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available' });
  });
  afterAll(async () => {
    await net.close();
    await stripe.close();
  });

  it('gives every mapped connector a short code once and keeps it; a new charger gets its own', async () => {
    const first = await net.hub.admin.get('/admin/short-codes');
    expect(first.status).toBe(200);
    expect(first.data).toEqual([{ code: expect.stringMatching(SHORT_CODE), url: `${net.hub.url}/c/${first.data[0].code}`, charger_id: 'HTTP1', connector: '1', location_id: 'SITE1', evse_uid: 'E1' }]);
    code = first.data[0].code;
    await net.addCharger('HTTP2', 'ocpp1.6', 'SITE1', 'E2');
    const second = await net.hub.admin.get('/admin/short-codes');
    expect(second.data.map((c: { charger_id: string }) => c.charger_id)).toEqual(['HTTP1', 'HTTP2']);
    expect(second.data[0].code).toBe(code);
    expect(second.data[1].code).not.toBe(code);
  });

  it('prints the sticker sheet as a PDF, from the admin API and the CLI', async () => {
    const sheet = await net.hub.admin.get('/admin/short-codes/stickers.pdf', { responseType: 'arraybuffer' });
    expect(sheet.status).toBe(200);
    expect(sheet.headers['content-type']).toBe('application/pdf');
    const pdf = Buffer.from(sheet.data);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdf.toString('latin1').match(/\/Type \/Page\b/g)).toHaveLength(1); // two stickers: one page of twelve
    const out = path.join(mkdtempSync(path.join(tmpdir(), 'stickers-')), 'stickers.pdf');
    const printed: string[] = [];
    const errors: string[] = [];
    const exit = await runCli(['stickers', 'pdf', '--out', out, '--location', 'SITE1'], {
      out: (t) => printed.push(t),
      err: (t) => errors.push(t),
      env: { OCPI_HUB_URL: net.hub.url, ADMIN_API_KEY: net.hub.adminKey },
    });
    expect({ exit, errors }).toEqual({ exit: 0, errors: [] });
    expect(readFileSync(out).subarray(0, 5).toString()).toBe('%PDF-');
    expect(JSON.parse(printed.join(''))).toEqual({ written: out, bytes: readFileSync(out).length });
    expect(await runCli(['stickers', 'pdf'], { out: () => undefined, err: (t) => errors.push(t), env: { OCPI_HUB_URL: net.hub.url, ADMIN_API_KEY: net.hub.adminKey } })).toBe(2);
    expect(errors.join('')).toMatch(/Missing --out/);
  });

  it('speaks the location country\'s language or the browser\'s, and English', async () => {
    // SITE1 is in the Netherlands (NLD): Dutch unless the browser asks for a language the page has.
    const dutch = await http.get(`${net.hub.url}/c/${code}`, { headers: { 'Accept-Language': 'pl-PL' } });
    expect(dutch.status).toBe(200);
    expect(dutch.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(dutch.data).toContain('<html lang="nl">');
    expect(dutch.data).toContain('<strong>0,275 EUR</strong> per kWh');
    expect(dutch.data).toContain('Een gewone laadsessie: 20 kWh in 60 min kost 7,70 EUR');
    const german = await http.get(`${net.hub.url}/c/${code}`, { headers: { 'Accept-Language': 'de-DE,de;q=0.9' } });
    expect(german.data).toContain('Preis (inkl. MwSt.)');
    const english = await http.get(`${net.hub.url}/c/${code}?lang=en`, { headers: { 'Accept-Language': 'nl' } });
    expect(english.data).toContain('A typical session: 20 kWh in 60 min costs 7.70 EUR');
    expect(english.headers['content-security-policy']).toContain("script-src 'self'");
    // A code typed in lower case with a dash is the same code.
    const typed = await http.get(`${net.hub.url}/c/${code.slice(0, 5).toLowerCase()}-${code.slice(5)}`);
    expect({ status: typed.status, location: typed.headers.location }).toEqual({ status: 302, location: `/c/${code}` });
  });

  it('answers an unknown code, a missing or forged cookie with 404 and changes nothing', async () => {
    const unknown = await http.get(`${net.hub.url}/c/0000000000`, { headers: { 'Accept-Language': 'en', Accept: 'text/html' } });
    expect(unknown.status).toBe(404);
    expect(unknown.data).toContain('No charge point has this code. Check the code on the sticker.');
    // A script (Accept: application/json) gets the error as JSON.
    expect((await http.get(`${net.hub.url}/c/0000000000`, { headers: { Accept: 'application/json' } })).data).toEqual({ error: { code: 'not_found', message: 'No charge point has the code 0000000000' } });
    expect((await http.get(`${net.hub.url}/c/not-a-code`)).status).toBe(404);
    const noCookie = await http.get(`${net.hub.url}/c/${code}/session`);
    expect({ status: noCookie.status, code: noCookie.data.error.code }).toEqual({ status: 404, code: 'no_session' });
    const forged = await http.get(`${net.hub.url}/c/${code}/session`, { headers: { Cookie: 'driver_session=00000000-0000-4000-8000-000000000000.forged' } });
    expect(forged.status).toBe(404);
    expect((await http.post(`${net.hub.url}/c/${code}/stop`, undefined, { headers: { Accept: 'application/json' } })).status).toBe(404);
    expect((await http.get(`${net.hub.url}/c/${code}/receipt`)).status).toBe(404);
  });

  it('an abandoned Checkout page that expires cancels the payment; the driver may pay again', async () => {
    const paid = await http.post(`${net.hub.url}/c/${code}/pay?lang=en`);
    expect(paid.status).toBe(303);
    expect(paid.headers.location).toMatch(/\/c\/pay\/cs_test_/);
    const cookie = String(paid.headers['set-cookie']);
    expect(cookie).toMatch(new RegExp(`^driver_session=[0-9a-f-]{36}\\.[A-Za-z0-9_-]+; Path=/c/${code}; Max-Age=86400; HttpOnly; SameSite=Lax$`));
    const jar = cookie.split(';')[0];
    const session = await http.get(`${net.hub.url}/c/${code}/session`, { headers: { Cookie: jar } });
    expect(session.data).toMatchObject({ state: 'paying', payment_status: 'created', kwh: null });
    // The driver's cookie opens nothing at another code.
    const other = (await net.hub.admin.get('/admin/short-codes')).data.find((c: { code: string }) => c.code !== code).code;
    expect((await http.get(`${net.hub.url}/c/${other}/session`, { headers: { Cookie: jar } })).status).toBe(404);

    const sessionId = paid.headers.location.split('/').pop();
    stripe.server.expireCheckout(sessionId);
    await stripe.server.webhooksSettled();
    expect((await http.get(`${net.hub.url}/c/${code}/session`, { headers: { Cookie: jar } })).data).toMatchObject({ state: 'expired', payment_status: 'canceled' });
    const page = await http.get(`${net.hub.url}/c/${code}?lang=en`, { headers: { Cookie: jar } });
    expect(page.data).toContain('The payment was canceled and nothing was charged.');
    expect(page.data).toContain('data-action="pay"');
  });

  it('without a Stripe key shows place and price but no pay button, and paying answers 503', async () => {
    const hub = await startTestHub({ logLevel: 'warn' });
    try {
      await putOwnLocations(hub, 'LOC-OFF');
      expect((await hub.admin.post('/admin/chargers', { id: 'OFF1', location_id: 'LOC-OFF', evses: [{ ocpp_connector: '1', evse_uid: 'NL*HUB*ELOC-OFF*1', connector_id: '1' }] })).status).toBe(201);
      const [{ code: off }] = (await hub.admin.get('/admin/short-codes')).data;
      const page = await http.get(`${hub.url}/c/${off}?lang=en`, { headers: { Accept: 'text/html' } });
      expect(page.status).toBe(200);
      expect(page.data).toContain('data-refusal="payments_off"');
      expect(page.data).not.toContain('data-action="pay"');
      const pay = await http.post(`${hub.url}/c/${off}/pay?lang=en`, undefined, { headers: { Accept: 'text/html' } });
      expect(pay.status).toBe(503);
      expect(pay.data).toContain('Card payment is not available at this charge point.');
    } finally {
      await hub.close();
    }
  });
});
