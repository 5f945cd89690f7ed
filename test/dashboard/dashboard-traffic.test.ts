import { existsSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { CHROMIUM, launchChromium, signInToDashboard } from '../support/browser';
import { locationPut } from '../support/deliveries';
import { startNetwork, type TestNetwork, waitFor } from '../support/network';

const chromiumInstalled = existsSync(CHROMIUM);
if (!chromiumInstalled) process.stdout.write(`dashboard traffic browser test skipped: ${CHROMIUM} is not installed\n`);
const describeWithChromium = chromiumInstalled ? describe : describe.skip;

jest.setTimeout(60_000);

describeWithChromium('the dashboard traffic section and alert banner in Chromium', () => {
  let net: TestNetwork;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    net = await startNetwork({
      cpos: ['NL/DTC'],
      emsps: ['NL/DTE'],
      agreements: 'all',
      hub: { env: { OUTBOX_BASE_BACKOFF_MS: '50', OUTBOX_MAX_ATTEMPTS: '20', OCPI_TIMEOUT_MS: '500', TRAFFIC_BODIES: 'errors' }, logLevel: 'warn' },
    });
    const launched = await launchChromium();
    if ('unavailable' in launched) throw new Error(launched.unavailable);
    browser = launched.browser;
    // Traffic: a refusal (2001) and lists from the CPO; the eMSP's server stopped while deliveries are due.
    await net.parties.DTC.ocpi.put('/receiver/locations/NL/DTC/LOC1', { id: 'LOC1' }, { headers: { 'X-Request-ID': 'dash-refused' } });
    for (let i = 0; i < 4; i++) await net.parties.DTC.ocpi.get('/sender/tokens');
    await net.parties.DTE.partner.stop();
    await net.hub.services.outbox.enqueue([locationPut(net, 'DTE', 'D1')]);
    await waitFor(async () => (await net.hub.admin.get(`/admin/parties/${net.parties.DTE.id}`)).data.health.status === 'DOWN', 'NL/DTE DOWN', 20_000);
    await net.hub.services.outbox.stop(); // the figures stay put while the page is compared with the API
    await net.hub.services.traffic.drain();
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  });

  afterAll(async () => {
    await browser?.close();
    await net?.close();
  });

  /** Waits until the section has loaded again since `previous` (body[data-traffic-loaded] changes). */
  const loadedOnce = async (previous?: string | null) => {
    const body = page.locator('body');
    await waitFor(async () => {
      const now = await body.getAttribute('data-traffic-loaded');
      return now !== null && now !== previous;
    }, 'the traffic section to load', 15_000);
    return body.getAttribute('data-traffic-loaded');
  };

  it('shows the DOWN partner in the banner, per-partner plots and figures equal to the API, records that filter and open', async () => {
    await signInToDashboard(page, net.hub.url, net.hub.adminKey);
    let stamp = await loadedOnce();

    const banner = page.locator('#alert-banner [data-alert="NL/DTE"]');
    await banner.waitFor();
    expect(await banner.textContent()).toMatch(/NL\/DTE DOWN .*since .*ECONNREFUSED/);
    expect(await page.locator('#alert-banner').isVisible()).toBe(true);
    // The partner table says the same: DOWN, with the last error and since when (not a blank "Last error").
    const row = page.locator('#partners tr[data-party="NL/DTE"]');
    expect(await row.locator('[data-col="health"]').textContent()).toBe('DOWN');
    expect(await row.locator('[data-col="last-error"]').textContent()).toMatch(/ECONNREFUSED \(failing since .+, \d+ in a row\)$/);

    const stats = (await net.hub.admin.get('/admin/traffic/stats', { params: { bucket: '1h' } })).data;
    for (const partner of ['NL/DTC', 'NL/DTE']) {
      const api = stats.partners.find((p: { partner: string }) => p.partner === partner);
      const shown = page.locator(`#traffic-plots [data-partner="${partner}"]`);
      expect(await shown.locator('[data-figure="requests"]').textContent()).toBe(`${api.totals.requests} requests`);
      expect(await shown.locator('[data-figure="error-rate"]').textContent()).toBe(`${(100 * api.totals.error_rate).toFixed(1)} % failed`);
      expect(await shown.locator('svg .error-bar').count()).toBe(api.buckets.length);
      expect(await shown.locator('svg circle.p95-dot').count()).toBe(api.buckets.length);
      expect(await shown.locator('svg path.p95').getAttribute('d')).toMatch(/^M[\d.]+,[\d.]+/);
    }
    // DTE's handshake went well; the three calls after its server stopped did not.
    const dte = stats.partners.find((p: { partner: string }) => p.partner === 'NL/DTE');
    expect(dte.totals.errors).toBeGreaterThanOrEqual(3);
    expect(Number(await page.locator('[data-partner="NL/DTE"] svg .error-bar').last().getAttribute('data-errors'))).toBe(dte.buckets.at(-1).errors);

    // Filter on the CPO's failed requests: only its 2001 refusal is listed.
    await page.selectOption('#traffic-partner', 'NL/DTC');
    stamp = await loadedOnce(stamp);
    await page.selectOption('#traffic-status', 'error');
    stamp = await loadedOnce(stamp);
    const rows = page.locator('#traffic-records tbody tr[data-record]');
    expect(await rows.count()).toBe(1);
    expect(await rows.first().locator('[data-col="ocpi"]').textContent()).toBe('2001');
    await rows.first().locator('button.link').click();
    await page.locator('#traffic-detail h4').first().waitFor();
    const detail = await page.locator('#traffic-detail').textContent();
    expect(detail).toContain('PUT /ocpi/2.2.1/receiver/locations/NL/DTC/LOC1');
    expect(detail).toContain('X-Request-ID dash-refused');
    expect(detail).toContain('Token [redacted]');
    expect(detail).not.toContain(net.parties.DTC.token);
    expect(detail).toContain('"id":"LOC1"');
  });
});
