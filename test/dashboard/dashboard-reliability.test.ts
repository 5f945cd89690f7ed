import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { CHROMIUM, launchChromium, signInToDashboard } from '../support/browser';
import { startNetwork, type TestNetwork, waitFor } from '../support/network';

const chromiumInstalled = existsSync(CHROMIUM);
if (!chromiumInstalled) process.stdout.write(`dashboard reliability browser test skipped: ${CHROMIUM} is not installed\n`);
const describeWithChromium = chromiumInstalled ? describe : describe.skip;
// RELIABILITY_SCREENSHOTS=1 writes docs/images/reliability-*.png from this very page.
const SCREENSHOTS = process.env.RELIABILITY_SCREENSHOTS === '1';

jest.setTimeout(60_000);
const H = 3_600_000;

describeWithChromium('the dashboard Reliability section in Chromium', () => {
  let net: TestNetwork;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    net = await startNetwork({ cpos: ['NL/RLA', 'NL/RLB'], emsps: [], hub: { logLevel: 'warn' } });
    const db = net.hub.services.db;
    const now = Date.now();
    // Each CPO: two EVSEs AVAILABLE for 20 days; RLB's B2 out of order for 2 of them.
    const status = (pid: string, evse: string, s: string, at: number) =>
      db.query(
        `INSERT INTO evse_status_history (country_code, party_id, location_id, evse_uid, own, status, status_at, received_at, max_power_kw) VALUES ('NL', $1, 'L1', $2, false, $3, $4, $4, 150)`,
        [pid, evse, s, new Date(at)],
      );
    for (const pid of ['RLA', 'RLB']) for (const evse of ['A1', 'B2']) await status(pid, evse, 'AVAILABLE', now - 20 * 24 * H);
    await status('RLB', 'B2', 'OUTOFORDER', now - 10 * 24 * H);
    await status('RLB', 'B2', 'AVAILABLE', now - 8 * 24 * H);
    await net.hub.services.statusHistory.rebuildCurrent(); // rows written by SQL above
    // Sessions: RLA's all charge; RLB's B2 fails every attempt of the last days.
    let n = 0;
    for (let day = 19; day >= 0; day--)
      for (const [pid, evse] of [['RLA', 'A1'], ['RLA', 'B2'], ['RLB', 'A1'], ['RLB', 'B2']]) {
        for (let i = 0; i < 4; i++) {
          const start = now - day * 24 * H - (i + 1) * 2 * H;
          const failing = pid === 'RLB' && evse === 'B2' && day < 4;
          const id = `S${n++}`;
          await db.query(`INSERT INTO ocpi_objects (module, country_code, party_id, object_id, data, last_updated) VALUES ('sessions', 'NL', $1, $2, $3, $4)`, [
            pid, id,
            JSON.stringify({ id, location_id: 'L1', evse_uid: evse, status: failing ? 'INVALID' : 'COMPLETED', kwh: failing ? 0 : 12, start_date_time: new Date(start).toISOString(), end_date_time: new Date(start + H).toISOString(), cdr_token: { uid: `${id}-driver` } }),
            new Date(start + H),
          ]);
        }
      }
    await net.hub.services.reliabilityAlerts.checkEvses();
    const launched = await launchChromium();
    if ('unavailable' in launched) throw new Error(launched.unavailable);
    browser = launched.browser;
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  });

  afterAll(async () => {
    await browser?.close();
    await net?.close();
  });

  it('shows each CPO\'s scorecard as the API gives it, and the worst EVSE first with why and its open alert', async () => {
    await signInToDashboard(page, net.hub.url, net.hub.adminKey);
    await waitFor(async () => (await page.locator('body').getAttribute('data-reliability-loaded')) !== null, 'the reliability section to load', 20_000);

    const cards = (await net.hub.admin.get('/admin/reliability/partners', { params: { worst: 10 } })).data;
    for (const cpo of ['NL/RLA', 'NL/RLB']) {
      const api = cards.cpos.find((c: { cpo: string }) => c.cpo === cpo);
      const row = page.locator(`#reliability-scorecards tr[data-cpo="${cpo}"]`);
      expect(await row.locator('[data-col="attempts"]').textContent()).toBe(String(api.attempts));
      expect(await row.locator('[data-col="success-rate"]').textContent()).toBe(`${(100 * api.success_rate).toFixed(1)} %`);
      expect(await row.locator('[data-col="uptime-uk"]').textContent()).toBe(`${(100 * api.uptime_uk).toFixed(1)} %`);
    }
    const rla = cards.cpos.find((c: { cpo: string }) => c.cpo === 'NL/RLA');
    const rlb = cards.cpos.find((c: { cpo: string }) => c.cpo === 'NL/RLB');
    expect(rla.success_rate).toBe(1);
    expect(rlb.success_rate).toBeLessThan(1);
    expect(rlb.uptime_uk).toBeLessThan(rla.uptime_uk);

    const worst = page.locator('#reliability-worst tbody tr').first();
    expect(await worst.getAttribute('data-evse')).toBe('NL/RLB/L1/B2');
    expect(await worst.locator('[data-col="why"]').textContent()).toMatch(/failed_starts .* points/);
    expect(await worst.locator('[data-col="alerts"]').textContent()).toMatch(/available_while_failing/);

    if (SCREENSHOTS) {
      const dir = path.join(__dirname, '../../docs/images');
      await page.locator('#reliability').screenshot({ path: path.join(dir, 'reliability-section.png') });
      await page.locator('#reliability-worst').screenshot({ path: path.join(dir, 'reliability-worst.png') });
    }
  });
});
