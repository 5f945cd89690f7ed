import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import Decimal from 'decimal.js';
import { currencyOf } from '../../src/core/money/currencies';
import { startDemo, type DemoNetwork } from '../../src/demo/demo-network';
import { CHROMIUM, launchChromium } from '../support/browser';
import { waitFor } from '../support/network';
import { startTestHub, type TestHub } from '../support/test-hub';

// Skipped only where Chromium is not installed (.ci/run installs it with apt-get when it can).
const chromiumInstalled = existsSync(CHROMIUM);
if (!chromiumInstalled) process.stdout.write(`dashboard browser test skipped: ${CHROMIUM} is not installed and could not be installed here\n`);
const describeWithChromium = chromiumInstalled ? describe : describe.skip;

jest.setTimeout(60_000);

describeWithChromium('the dashboard in Chromium, against a hub with the demo network', () => {
  let hub: TestHub;
  let demo: DemoNetwork;
  let browser: Browser;
  let page: Page;
  let siteSamples = false;

  const api = async (url: string) => {
    const response = await hub.admin.get(url);
    expect(response.status).toBe(200);
    return response.data;
  };
  const figure = (name: string) => page.locator(`[data-figure="${name}"]`).textContent();
  /** Money as the page must show it: the currency's decimals (core/money), computed here with decimal.js. */
  const money = (amount: string | number, currency: string) => `${new Decimal(amount).toFixed(currencyOf(currency).decimals, Decimal.ROUND_HALF_UP)} ${currency}`;

  beforeAll(async () => {
    hub = await startTestHub({ logLevel: 'warn' });
    const launched = await launchChromium();
    if ('unavailable' in launched) throw new Error(launched.unavailable); // installed but broken: a failure, not a skip
    browser = launched.browser;
    // The real demo network, faster: partners registered by handshake, history, chargers charging.
    demo = await startDemo(hub.services, {
      mode: 'seed',
      hubUrl: hub.url,
      ocppUrl: hub.ocppUrl,
      versionsUrl: hub.versionsUrl,
      dataDir: mkdtempSync(path.join(tmpdir(), 'demo-')),
      log: hub.services.log,
      historyDays: 8,
      pace: { idleMs: [50, 150], chargeMs: [600, 900], meterIntervalMs: 200 },
    });
    // Own chargers produced sessions; then the simulation stops, so the page and the API see the same figures.
    await waitFor(async () => (await hub.services.transactions.recent(50)).some((t) => t.status === 'STOPPED'), 'a finished own session', 15_000);
    await demo.pauseSimulation();
    await waitFor(async () => {
      const [{ busy }] = await hub.services.db.query(
        `SELECT (SELECT count(*) FROM outbox WHERE status = 'pending') + (SELECT count(*) FROM ocpp_transactions WHERE status = 'ACTIVE' OR cdr_id IS NULL) AS busy`,
      );
      return Number(busy) === 0;
    }, 'the stopped sessions to be published', 15_000);
    // Load management's samples, when its table exists: one site with a limit.
    const [{ present }] = await hub.services.db.query(`SELECT to_regclass('site_load_samples') IS NOT NULL AS present`);
    if (present) {
      await hub.services.db.query(
        `INSERT INTO site_load_samples (site_id, at, allocated_w, limit_w)
         SELECT 'TEST-SITE', now() - make_interval(mins => m), 20000 + 10000 * sin(m / 20.0), 32000 FROM generate_series(1, 600, 5) m`,
      );
      siteSamples = true;
    }
    page = await browser.newPage({ acceptDownloads: true, viewport: { width: 1400, height: 1000 } });
  });

  afterAll(async () => {
    await browser?.close();
    await demo?.stop();
    await hub?.close();
  });

  it('asks for the admin key once, then shows the same figures as the admin API', async () => {
    await page.goto(`${hub.url}/dashboard`);
    await page.fill('#key-input', 'not-the-admin-key-at-all');
    await page.click('#key-form button');
    await page.waitForSelector('#key-error:text("refused")');
    await page.fill('#key-input', hub.adminKey);
    await page.click('#key-form button');
    await page.waitForSelector('body[data-loaded]');
    expect(await page.evaluate(() => (globalThis as unknown as { sessionStorage: { getItem(key: string): string | null } }).sessionStorage.getItem('ocpi-hub-admin-key'))).toBe(hub.adminKey);

    const own = await api('/admin/own-cpo');
    expect(own).toMatchObject({ country_code: hub.services.ownCpo.countryCode, party_id: hub.services.ownCpo.partyId, role: 'CPO' });
    expect(await figure('own-cpo')).toBe(`${own.country_code}/${own.party_id}`);

    const partners = await api('/admin/dashboard/partners');
    expect(partners.totals).toMatchObject({ partners: 2, connected: 2 });
    expect(await figure('partners-connected')).toBe(`${partners.totals.connected} / ${partners.totals.partners}`);
    expect(await figure('outbox-pending')).toBe(`${partners.totals.outbox_pending} pending`);
    for (const p of partners.partners) {
      const row = page.locator(`#partners tr[data-party="${p.country_code}/${p.party_id}"]`);
      expect(await row.locator('.badge').textContent()).toBe(p.status);
      expect(await row.locator('[data-col="failed"]').textContent()).toBe(String(p.outbox.failed));
      expect(await row.locator('[data-col="health"]').textContent()).toBe(p.health.status);
      expect(p.ocpi_version).toBe('2.2.1');
      expect(await row.locator('[data-col="version"]').textContent()).toBe(p.ocpi_version);
    }

    const locations = await api('/admin/dashboard/locations');
    expect(locations.locations.map((l: any) => l.id).sort()).toEqual(['CHB-GENT', 'DEMO-AMSTERDAM', 'DEMO-UTRECHT']);
    expect(await page.locator('#locations article.location').count()).toBe(locations.locations.length);
    expect(await figure('chargers-connected')).toBe(`${locations.chargers.connected} / ${locations.chargers.total}`);
    for (const [status, count] of Object.entries(locations.evse_status)) {
      expect(await page.locator(`[data-status-count="${status}"]`).textContent()).toBe(`${status} ${count}`);
    }

    const sessions = await api('/admin/dashboard/sessions');
    expect(await figure('sessions-active')).toBe(String(sessions.active.length));
    expect(sessions.recent.some((x: any) => x.own && x.emsp === 'DE/VLT')).toBe(true);
    const shownRecent = await page.locator('#recent-sessions tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-session')));
    expect(shownRecent).toEqual(sessions.recent.slice(0, 15).map((x: any) => x.id));
    // Every cost with its currency's decimals (it was 7 and 14.1 beside 5.78).
    const costed = sessions.recent.slice(0, 15).filter((x: any) => x.total_cost_incl_vat !== null);
    expect(costed.length).toBeGreaterThan(0);
    for (const x of costed) {
      expect(await page.locator(`#recent-sessions tr[data-session="${x.id}"] [data-col="cost"]`).textContent()).toBe(money(x.total_cost_incl_vat, x.currency));
    }

    const timeZone = await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone);
    const analytics = await api(`/admin/dashboard/analytics?days=30&time_zone=${encodeURIComponent(timeZone)}`);
    expect(analytics.totals.sessions).toBeGreaterThan(10);
    expect(await figure('sessions-window')).toBe(analytics.totals.sessions.toLocaleString('en'));
    expect(await page.locator('#per-day rect.bar').count()).toBe(30);
    // The date labels under the bars never overlap (the last two did).
    const labels = await page.locator('#per-day text.axis').evaluateAll((texts) =>
      texts.filter((t) => /^\d\d-\d\d$/.test(t.textContent ?? '')).map((t) => { const b = t.getBoundingClientRect(); return { left: b.left, right: b.right, text: t.textContent }; }));
    expect(labels.length).toBeGreaterThanOrEqual(5);
    expect(labels.at(-1)!.text).toBe(analytics.days.at(-1).day.slice(5));
    for (let i = 1; i < labels.length; i++) expect(labels[i].left).toBeGreaterThan(labels[i - 1].right);
    const cells = await page.locator('#heatmap rect[data-sessions]').evaluateAll((rects) => rects.map((r) => Number(r.getAttribute('data-sessions'))));
    expect(cells).toHaveLength(7 * 24);
    expect(cells.reduce((a, b) => a + b, 0)).toBe(analytics.heatmap.reduce((a: number, c: any) => a + c.sessions, 0));

    const maintenance = await api('/admin/dashboard/maintenance');
    const shownChargers = await page.locator('#maintenance tbody tr[data-charger]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-charger')));
    expect(shownChargers).toEqual(maintenance.chargers.map((c: any) => c.charger_id));
    expect(shownChargers).toContain('DEMO-AMSTERDAM-3'); // the demo's charger that never connects

    // AFIR readiness: one row per location of every CPO, its failing checks with their articles.
    const afir = await api('/admin/afir/readiness');
    expect(afir.length).toBe(locations.locations.length);
    for (const r of afir) {
      const row = page.locator(`#afir tr[data-location="${r.owner}/${r.location_id}"]`);
      expect(await row.locator('[data-col="errors"]').textContent()).toBe(String(r.errors));
      expect(await row.locator('.badge').textContent()).toBe(r.ready ? 'READY' : 'NOT_READY');
      const failing = r.checks.filter((c: any) => !c.ok).map((c: any) => `${c.rule} (${c.article})`).join(', ') || '–';
      expect(await row.locator('[data-col="failing"]').textContent()).toBe(failing);
    }
    // Nobody has opted in to the NAP on the demo network.
    expect(afir.every((r: any) => r.checks.find((c: any) => c.rule === 'nap-published').ok === false)).toBe(true);

    const sites = await api('/admin/dashboard/sites');
    if (siteSamples) {
      expect(sites.sites.find((s: any) => s.site_id === 'TEST-SITE').samples.length).toBeGreaterThan(50);
      expect(await page.locator('[data-site="TEST-SITE"] svg path.limit').count()).toBe(1);
    } else {
      expect(sites).toEqual({ available: false, hours: 24, sites: [] });
      expect(await page.locator('[data-empty="sites"]').textContent()).toMatch(/No sites/);
    }
  });

  it('tells the page each currency\'s decimals, and refuses a bad list', async () => {
    expect(await api('/admin/dashboard/currencies?codes=EUR,jpy,KWD,EUR')).toEqual({
      currencies: [{ code: 'EUR', minor_units: 2 }, { code: 'JPY', minor_units: 0 }, { code: 'KWD', minor_units: 3 }],
    });
    expect(await api('/admin/dashboard/currencies?codes=XYZ')).toEqual({ currencies: [{ code: 'XYZ', minor_units: null }] });
    const bad = await hub.admin.get('/admin/dashboard/currencies?codes=EURO');
    expect(bad.status).toBe(400);
    expect(bad.data.error.message).toMatch(/codes: must be up to 50 ISO 4217 codes/);
  });

  it('clicks through to a statement and downloads its CSV', async () => {
    const statements = await api('/admin/settlement/statements');
    expect(statements.length).toBeGreaterThan(0);
    for (const st of statements) {
      expect(await page.locator(`#statements tr[data-statement="${st.id}"] [data-col="mismatches"]`).textContent()).toBe(String(st.totals.mismatch_count));
      expect(await page.locator(`#statements tr[data-statement="${st.id}"] [data-col="gross"]`).textContent()).toBe(money(st.totals.gross, st.currency));
    }
    const statement = statements.find((st: any) => st.totals.line_count > 0);
    await page.click(`#statements tr[data-statement="${statement.id}"] a`);
    await page.waitForURL(`**/dashboard#/statements/${statement.id}`);
    await page.waitForSelector('#statement-lines tbody tr[data-cdr]');
    expect(await page.locator('[data-total="lines"]').textContent()).toBe(String(statement.totals.line_count));
    expect(await page.locator('[data-total="mismatches"]').textContent()).toBe(String(statement.totals.mismatch_count));
    expect(await page.locator('[data-total="gross"]').textContent()).toBe(money(statement.totals.gross, statement.currency));
    const firstLine = (await api(`/admin/settlement/statements/${statement.id}/lines?limit=1`)).lines[0];
    expect(await page.locator(`#statement-lines tr[data-cdr="${firstLine.cdr_id}"] [data-col="gross"]`).textContent()).toBe(money(firstLine.gross, statement.currency));
    expect(await page.locator('#statement-lines tbody tr[data-cdr]').count()).toBe(Math.min(200, statement.totals.line_count));

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-csv')]);
    expect(download.suggestedFilename()).toBe(`statement-${statement.period.label}-BE-CHB-DE-VLT.csv`);
    const csv = readFileSync((await download.path())!, 'utf8');
    const fromApi = await hub.admin.get(`/admin/settlement/statements/${statement.id}/csv`, { responseType: 'text' });
    expect(csv).toBe(fromApi.data);
    expect(csv.trim().split('\n')).toHaveLength(statement.totals.line_count + 1); // header + one line per CDR

    await page.click('text=← all figures');
    await page.waitForSelector('#overview:not([hidden])');
  });
});
