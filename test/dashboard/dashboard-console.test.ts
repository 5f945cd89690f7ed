import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { runCli } from '../../src/cli/ocpi-hub-cli';
import { CHROMIUM, launchChromium, signInToDashboard } from '../support/browser';
import { locationPut } from '../support/deliveries';
import { example, startNetwork, type TestNetwork, waitFor } from '../support/network';

const chromiumInstalled = existsSync(CHROMIUM);
if (!chromiumInstalled) process.stdout.write(`dashboard console browser test skipped: ${CHROMIUM} is not installed\n`);
const describeWithChromium = chromiumInstalled ? describe : describe.skip;

jest.setTimeout(90_000);

/** The console in Chromium: each action (a refused one too) through the page, checked against the admin API; each search. */
describeWithChromium('the console in Chromium', () => {
  let net: TestNetwork;
  let browser: Browser;
  let page: Page;
  const api = async (url: string, params: Record<string, string> = {}) => (await net.hub.admin.get(url, { params })).data;
  const partyNamed = async (name: string) => (await api('/admin/parties')).find((p: { country_code: string; party_id: string }) => `${p.country_code}/${p.party_id}` === name);

  /** Waits for the console to draw again after `action`. */
  async function redrawn(action: () => Promise<unknown>) {
    const before = await page.locator('body').getAttribute('data-console');
    await action();
    await waitFor(async () => {
      const now = await page.locator('body').getAttribute('data-console');
      return now !== null && now !== before;
    }, 'the console to redraw', 15_000);
  }
  const result = () => page.locator('#console-result').textContent();
  /** CONSOLE_SCREENSHOTS=1 keeps the docs' pictures (docs/images/console-*.png) up to date. */
  const screenshot = async (name: string) => {
    if (process.env.CONSOLE_SCREENSHOTS === '1') await page.screenshot({ path: path.join(__dirname, '../../docs/images', `console-${name}.png`), fullPage: true });
  };
  /** Every amount the console shows has its currency's decimals (EUR: two; no `7` or `14.1` beside `5.78`); returns them. */
  const amountsShown = async () => {
    const amounts = (await page.locator('#console td, #console dd').allTextContents()).map((t) => t.trim()).filter((t) => /^-?\d+(?:\.\d+)? [A-Z]{3}$/.test(t));
    for (const amount of amounts.filter((a) => a.endsWith(' EUR'))) expect(amount).toMatch(/^-?\d+\.\d\d EUR$/);
    return amounts;
  };
  const confirmWith = async (button: '#console-confirm-yes' | '#console-confirm-no') => {
    await page.locator('#console-confirm').waitFor({ state: 'visible' });
    await page.click(button);
  };

  beforeAll(async () => {
    net = await startNetwork({ cpos: ['NL/BCP'], emsps: ['DE/BEM'], agreements: 'all', hub: { env: { OUTBOX_BASE_BACKOFF_MS: '20', OUTBOX_MAX_ATTEMPTS: '1', OCPI_TIMEOUT_MS: '500' }, logLevel: 'warn' } });
    const launched = await launchChromium();
    if ('unavailable' in launched) throw new Error(launched.unavailable);
    browser = launched.browser;
    // 28 sessions and a CDR from the CPO, delivered to the eMSP.
    const base = example('session_example_2_short_finished.json') as Record<string, any>;
    for (let n = 1; n <= 28; n++) {
      const session = { ...base, id: `S${n}`, country_code: 'NL', party_id: 'BCP', location_id: n === 2 ? 'LOC2' : 'LOC1', cdr_token: { ...base.cdr_token, uid: `UID${n}`, country_code: 'DE', party_id: 'BEM' } };
      expect((await net.parties.BCP.ocpi.put(`/receiver/sessions/NL/BCP/S${n}`, session)).data.status_code).toBe(1000);
    }
    const cdr = { ...example('cdr_example.json'), country_code: 'NL', party_id: 'BCP', session_id: 'S1' } as Record<string, any>;
    cdr.cdr_token = { ...cdr.cdr_token, country_code: 'DE', party_id: 'BEM' };
    expect((await net.parties.BCP.ocpi.post('/receiver/cdrs', cdr)).data.status_code).toBe(1000);
    // A location of the CPO and two tokens of the eMSP, for those searches.
    const location = { ...example('location_example.json'), country_code: 'NL', party_id: 'BCP', id: 'LOCX' } as Record<string, any>;
    expect((await net.parties.BCP.ocpi.put('/receiver/locations/NL/BCP/LOCX', location)).data.status_code).toBe(1000);
    for (const [uid, valid] of [['TOK1', true], ['TOK2', false]] as const) {
      const token = { country_code: 'DE', party_id: 'BEM', uid, type: 'RFID', contract_id: `DE-BEM-C${uid}`, issuer: 'BEM', valid, whitelist: 'ALLOWED', last_updated: new Date().toISOString() };
      expect((await net.parties.BEM.ocpi.put(`/receiver/tokens/DE/BEM/${uid}?type=RFID`, token)).data.status_code).toBe(1000);
    }
    await waitFor(async () => (await api('/admin/outbox')).length === 0, 'every push delivered', 20_000);
    // Two deliveries fail (the eMSP's server is down; one attempt only), then it is back.
    await net.parties.BEM.partner.stop();
    await net.hub.services.outbox.enqueue([locationPut(net, 'BEM', 'FX1'), locationPut(net, 'BEM', 'FX2')]);
    await waitFor(async () => (await api('/admin/outbox', { status: 'failed' })).length === 2, 'two failed deliveries', 20_000);
    await net.parties.BEM.partner.start();
    await net.hub.services.traffic.drain();

    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await signInToDashboard(page, net.hub.url, net.hub.adminKey);
    await page.locator('#open-console').waitFor({ state: 'visible' });
    await redrawn(() => page.click('#open-console'));
  });

  afterAll(async () => {
    await browser?.close();
    await net?.close();
  });

  it('onboards a partner showing token A once, refuses a duplicate with the hub\'s message, refuses a bad connect, reissues token A, asks before deleting', async () => {
    const onboard = async () => {
      await page.fill('#onboard-form input[name=country_code]', 'NL');
      await page.fill('#onboard-form input[name=party_id]', 'NEW');
      await page.fill('#onboard-form input[name=name]', 'New Partner');
      await page.fill('#onboard-form input[name=roles]', 'EMSP');
      await page.click('#onboard-form button');
    };
    await redrawn(onboard);
    expect(await result()).toBe('Onboarded NL/NEW: hand its token A and versions URL to the partner (shown once).');
    const tokenA = await page.locator('[data-secret="token-a"]').textContent();
    await screenshot('partners');
    expect(tokenA).toMatch(/^\S{20,}$/);
    const created = await partyNamed('NL/NEW');
    expect(created).toMatchObject({ name: 'New Partner', status: 'PLANNED' });
    // The audit log has it, from the console, without the token.
    const [entry] = (await api('/admin/audit', { action: 'POST /admin/parties', client: 'console' })).items;
    expect(entry.after.token_a).toBe('[redacted]');
    expect(JSON.stringify(entry)).not.toContain(tokenA);

    // The same again is refused; the page says what the API says.
    await onboard();
    await waitFor(async () => /^Refused/.test((await result()) ?? ''), 'the refusal');
    const again = await net.hub.admin.post('/admin/parties', { country_code: 'NL', party_id: 'NEW', name: 'New Partner', roles: ['EMSP'] });
    expect(await result()).toBe(`Refused (${again.status}): ${again.data.error.message}`);

    // Connecting to a versions URL nobody serves is refused with the hub's reason.
    const row = page.locator('tr[data-party="NL/NEW"]');
    await row.locator('[data-action=connect]').click();
    await page.fill('#connect-form input[name=versions_url]', 'http://127.0.0.1:9/ocpi/versions');
    await page.fill('#connect-form input[name=token]', 'their-token-a');
    await page.click('#connect-form button');
    await waitFor(async () => /^Refused/.test((await result()) ?? ''), 'the refused connect');
    expect(await result()).toMatch(/^Refused \((4|5)\d\d\): .+/);

    await redrawn(async () => {
      await page.locator('tr[data-party="NL/NEW"] [data-action=token-a]').click();
      await confirmWith('#console-confirm-yes');
    });
    const newTokenA = await page.locator('[data-secret="token-a"]').textContent();
    expect(newTokenA).not.toBe(tokenA);

    // Delete: cancelled first (nothing changes), then confirmed.
    await page.locator('tr[data-party="NL/NEW"] [data-action=delete]').click();
    expect(await page.locator('#console-confirm-text').textContent()).toMatch(/^Delete NL\/NEW\?/);
    await screenshot('confirm');
    await confirmWith('#console-confirm-no');
    await waitFor(async () => (await result()) === 'Cancelled: nothing was changed.', 'the cancel');
    expect(await partyNamed('NL/NEW')).toBeDefined();
    await redrawn(async () => {
      await page.locator('tr[data-party="NL/NEW"] [data-action=delete]').click();
      await confirmWith('#console-confirm-yes');
    });
    expect(await result()).toBe('Deleted NL/NEW.');
    expect(await partyNamed('NL/NEW')).toBeUndefined();
    expect(await page.locator('tr[data-party="NL/NEW"]').count()).toBe(0);
  });

  it('suspends (after asking) and resumes a partner', async () => {
    await redrawn(async () => {
      await page.locator('tr[data-party="DE/BEM"] [data-action=suspend]').click();
      await confirmWith('#console-confirm-yes');
    });
    expect(await result()).toBe('Suspended DE/BEM.');
    expect((await partyNamed('DE/BEM')).status).toBe('SUSPENDED');
    await redrawn(() => page.locator('tr[data-party="DE/BEM"] [data-action=resume]').click());
    expect(await result()).toBe('Resumed DE/BEM.');
    expect((await partyNamed('DE/BEM')).suspended_at).toBeNull();
  });

  it('removes an agreement after asking, adds it back, and shows a refused one', async () => {
    await redrawn(() => page.click('[data-tab=agreements]'));
    await redrawn(async () => {
      await page.locator('tr[data-agreement="NL/BCP-DE/BEM"] [data-action=remove]').click();
      await confirmWith('#console-confirm-yes');
    });
    expect(await result()).toBe('Agreement NL/BCP ↔ DE/BEM removed.');
    expect(await api('/admin/agreements')).toEqual([]);
    await redrawn(async () => {
      await page.fill('#agreement-form input[name=cpo]', 'NL/BCP');
      await page.fill('#agreement-form input[name=emsp]', 'DE/BEM');
      await page.click('#agreement-form button');
    });
    expect(await result()).toBe('Agreement NL/BCP ↔ DE/BEM added.');
    expect((await api('/admin/agreements')).map((a: { cpo: string; emsp: string }) => `${a.cpo}-${a.emsp}`)).toEqual(['NL/BCP-DE/BEM']);
    await page.fill('#agreement-form input[name=cpo]', 'NL/BCP');
    await page.fill('#agreement-form input[name=emsp]', 'XX');
    await page.click('#agreement-form button');
    await waitFor(async () => /^Refused/.test((await result()) ?? ''), 'the refused agreement');
    expect(await result()).toMatch(/^Refused \(400\): emsp: must be COUNTRY\/PARTY/);
  });

  it('retries one failed delivery and skips another after asking', async () => {
    await redrawn(() => page.click('[data-tab=outbox]'));
    const failed = await api('/admin/search/deliveries', { status: 'failed' });
    const [fx2, fx1] = failed.items;
    await redrawn(() => page.locator(`#search-results tr[data-row="${fx1.id}"] [data-action=retry]`).click());
    expect(await result()).toBe(`Delivery ${fx1.id} is queued again.`);
    await waitFor(async () => (await api('/admin/search/deliveries', { object: 'FX1', status: 'delivered' })).items.length === 1, 'FX1 delivered', 15_000);
    await redrawn(async () => {
      await page.locator(`#search-results tr[data-row="${fx2.id}"] [data-action=skip]`).click();
      await confirmWith('#console-confirm-yes');
    });
    expect(await result()).toBe(`Delivery ${fx2.id} skipped.`);
    expect((await api('/admin/search/deliveries', { object: 'FX2' })).items[0].status).toBe('skipped');
    await screenshot('outbox');
    expect(await page.locator(`#search-results tr[data-row="${fx2.id}"]`).textContent()).toContain('skipped');
  });

  it('searches sessions by token and location, pages with More, and opens a CDR\'s story', async () => {
    await redrawn(() => page.goto(`${net.hub.url}/dashboard#/console/search/sessions?token=UID7`));
    expect(await page.locator('#search-results tbody tr').count()).toBe(1);
    expect(await page.locator('#search-results tbody tr').textContent()).toContain('NL/BCP S7');
    await redrawn(async () => {
      await page.fill('#search-form input[name=token]', '');
      await page.fill('#search-form input[name=location]', 'LOC2');
      await page.click('#search-form button');
    });
    expect(await page.locator('#search-results tbody tr').allTextContents()).toEqual([expect.stringContaining('NL/BCP S2')]);
    await redrawn(async () => {
      await page.fill('#search-form input[name=location]', '');
      await page.fill('#search-form input[name=party]', 'NL/BCP');
      await page.click('#search-form button');
    });
    expect(await page.locator('#search-results tbody tr').count()).toBe(25);
    await page.click('#search-more');
    await waitFor(async () => (await page.locator('#search-results tbody tr').count()) === 28, 'the second page');
    expect(await page.locator('#search-more').isHidden()).toBe(true);
    await screenshot('search');
    const shown = (await page.locator('#search-results tbody tr td:first-child').allTextContents()).map((t) => t.replace('NL/BCP ', ''));
    expect(shown).toEqual(Array.from({ length: 28 }, (_, i) => `S${28 - i}`));
    expect((await amountsShown()).length).toBeGreaterThanOrEqual(28);

    // Tokens by contract id and validity; locations by EVSE uid.
    await redrawn(() => page.goto(`${net.hub.url}/dashboard#/console/search/tokens?status=invalid`));
    expect(await page.locator('#search-results tbody tr').allTextContents()).toEqual([expect.stringMatching(/DE\/BEM\s*TOK2\s*RFID\s*DE-BEM-CTOK2\s*no/)]);
    await redrawn(() => page.goto(`${net.hub.url}/dashboard#/console/search/tokens?token=DE-BEM-CTOK1`));
    expect(await page.locator('#search-results tbody tr').allTextContents()).toEqual([expect.stringContaining('TOK1')]);
    const evseUid = (example('location_example.json') as { evses: { uid: string }[] }).evses[0].uid;
    await redrawn(() => page.goto(`${net.hub.url}/dashboard#/console/search/locations?evse=${encodeURIComponent(evseUid)}`));
    expect(await page.locator('#search-results tbody tr').allTextContents()).toEqual([expect.stringContaining('LOCX')]);
    await redrawn(() => page.goto(`${net.hub.url}/dashboard#/console/search/locations?evse=NO-SUCH-EVSE`));
    expect(await page.locator('#search-results tbody tr').textContent()).toBe('Nothing matches.');

    // CDRs by rating status, then the story: the push to DE/BEM with its answer, the rating, the session.
    const cdrs = await api('/admin/search/cdrs', { party: 'NL/BCP' });
    const [cdr] = cdrs.items;
    await redrawn(() => page.goto(`${net.hub.url}/dashboard#/console/search/cdrs?status=${cdr.status}`));
    await redrawn(() => page.locator('#search-results tbody tr a').first().click());
    expect(await page.locator('#story-title').textContent()).toBe(`CDR NL/BCP ${cdr.id}`);
    expect(await page.locator('#story-pushes tbody tr').first().textContent()).toMatch(/DE\/BEM.*POST.*delivered.*✓ HTTP 200 \/ OCPI 1000/);
    expect(await page.locator('#story-rating').textContent()).toContain((await api(`/admin/search/cdrs/NL/BCP/${cdr.id}/story`)).rating?.status ?? 'Not rated');
    expect(await page.locator('#story-ocpp').textContent()).toContain('Not an own charger');
    expect((await amountsShown()).length).toBeGreaterThan(0);
    await screenshot('story');
    await redrawn(() => page.locator('a[href*="story/sessions/NL/BCP/S1"]').click());
    expect(await page.locator('#story-title').textContent()).toBe('Session NL/BCP S1');
  });

  it('runs settlement, warns before closing a statement whose period is still open, closes one, resolves a dispute', async () => {
    // A CDR of this month beside the 2015 one, so this month's statement is open while its period runs.
    const now = Date.now();
    const recent = { ...example('cdr_example.json'), id: 'NOW1', country_code: 'NL', party_id: 'BCP' } as Record<string, any>;
    recent.cdr_token = { ...recent.cdr_token, country_code: 'DE', party_id: 'BEM' };
    recent.start_date_time = new Date(now - 2 * 3600_000).toISOString().replace(/\.\d+Z$/, 'Z');
    recent.end_date_time = new Date(now - 3600_000).toISOString().replace(/\.\d+Z$/, 'Z');
    recent.charging_periods = recent.charging_periods.map((p: Record<string, unknown>) => ({ ...p, start_date_time: recent.start_date_time }));
    recent.last_updated = recent.end_date_time;
    expect((await net.parties.BCP.ocpi.post('/receiver/cdrs', recent)).data.status_code).toBe(1000);
    const thisMonth = new Date(now).toISOString().slice(0, 7);
    if (recent.start_date_time.slice(0, 7) !== thisMonth) return; // the first hours of a month: the CDR is last month's

    await redrawn(() => page.click('[data-tab=statements]'));
    for (const period of [thisMonth, '2015-06']) {
      await redrawn(async () => {
        await page.fill('#run-form input[name=period]', period);
        await page.click('#run-form button');
      });
      expect(await result()).toMatch(new RegExp(`^Settlement run \\d+ for ${period}: 1 lines on 1 statements\\.$`));
    }
    const statements = await api('/admin/settlement/statements');
    const open = statements.find((st: { period: { label: string } }) => st.period.label === thisMonth);
    const old = statements.find((st: { period: { label: string } }) => st.period.label === '2015-06');
    await page.locator(`tr[data-statement="${open.id}"] [data-action=close]`).click();
    expect(await page.locator('#console-confirm-text').textContent()).toMatch(new RegExp(`^Warning: the period ${thisMonth} is still open`));
    await confirmWith('#console-confirm-no');
    await waitFor(async () => (await result()) === 'Cancelled: nothing was changed.', 'the cancel');
    expect((await api('/admin/settlement/statements')).find((st: { id: string }) => st.id === open.id).status).toBe('open');
    await page.locator(`tr[data-statement="${old.id}"] [data-action=close]`).click();
    expect(await page.locator('#console-confirm-text').textContent()).toMatch(/^Close 2015-06 NL\/BCP → DE\/BEM\?/);
    await redrawn(() => confirmWith('#console-confirm-yes'));
    expect(await result()).toBe('Closed 2015-06 NL/BCP → DE/BEM.');
    expect((await amountsShown()).length).toBeGreaterThan(0);
    expect((await api('/admin/settlement/statements')).find((st: { id: string }) => st.id === old.id).status).toBe('closed');
    // Closing it again is refused: the button is gone, and the API says why.
    expect(await page.locator(`tr[data-statement="${old.id}"] [data-action=close]`).count()).toBe(0);

    const dispute = (await net.hub.admin.post('/admin/settlement/disputes', { statement_id: open.id, cdr_id: 'NOW1', reason: 'driver says the charger stopped early' })).data;
    await redrawn(() => page.click('#refresh'));
    await redrawn(async () => {
      await page.locator(`tr[data-dispute="${dispute.id}"] [data-action=rejected]`).click();
      await confirmWith('#console-confirm-yes');
    });
    expect(await result()).toBe('Dispute of NOW1 rejected.');
    expect((await api(`/admin/settlement/disputes/${dispute.id}`))).toMatchObject({ status: 'resolved', resolution: 'rejected' });
  });

  it('writes an own tariff, previews its price with the pricing engine, and deletes it after asking', async () => {
    await redrawn(() => page.goto(`${net.hub.url}/dashboard#/console/catalogue`));
    await redrawn(async () => {
      await page.fill('#tariff-form input[name=id]', 'CON-AC');
      await page.fill('#tariff-form textarea', JSON.stringify({ kind: 'simple', currency: 'EUR', vat: 21, prices: { energy: 0.35, time: 1.5, flat: 0.5 }, step_size: { time: 60 } }));
      await page.click('#tariff-form button');
    });
    expect(await result()).toBe('Saved tariff CON-AC.');
    await page.selectOption('#preview-form select[name=tariff]', 'CON-AC');
    await page.fill('#preview-form input[name=kwh]', '10');
    await page.fill('#preview-form input[name=minutes]', '60');
    await page.fill('#preview-form input[name=start]', '2025-03-03T10:00:00Z');
    await page.click('#preview-form button');
    await page.locator('[data-figure="preview-excl"]').waitFor();
    const preview = await api('/admin/tariffs/CON-AC/price-preview', { kwh: '10', minutes: '60', start: '2025-03-03T10:00:00Z' });
    // 0.50 flat + 10 kWh × 0.35 + 1 h × 1.50 = 5.50 excl. VAT; shown with two decimals.
    expect(preview.computed.total_cost.excl_vat).toBeCloseTo(5.5);
    expect(await page.locator('[data-figure="preview-excl"]').textContent()).toBe('5.50 EUR');
    expect(await page.locator('[data-figure="preview-incl"]').textContent()).toBe(`${(Math.round(preview.computed.total_cost.incl_vat * 100) / 100).toFixed(2)} EUR`);
    await screenshot('catalogue');
    await redrawn(async () => {
      await page.locator('tr[data-tariff="CON-AC"] [data-action=delete]').click();
      await confirmWith('#console-confirm-yes');
    });
    expect(await result()).toBe('Deleted tariff CON-AC.');
    expect((await net.hub.admin.get('/admin/tariffs/CON-AC')).status).toBe(404);
  });

  it('shows the audit log with filters, a CLI action included', async () => {
    let err = '';
    expect(await runCli(['party', 'suspend', net.parties.BEM.id, '--hub', net.hub.url], { out: () => undefined, err: (t) => (err += t), env: { ADMIN_API_KEY: net.hub.adminKey } })).toBe(0);
    expect(await runCli(['party', 'resume', net.parties.BEM.id, '--hub', net.hub.url], { out: () => undefined, err: (t) => (err += t), env: { ADMIN_API_KEY: net.hub.adminKey } })).toBe(0);
    await redrawn(() => page.goto(`${net.hub.url}/dashboard#/console/audit?client=cli`));
    const rows = page.locator('#audit-log tbody tr');
    expect(await rows.count()).toBe(2);
    expect(await rows.nth(0).textContent()).toMatch(/admin\s*cli.*POST \/admin\/parties\/\{id\}\/resume/);
    expect(await rows.nth(0).locator('[data-col=changed]').textContent()).toMatch(/^suspended_at: 20\S+ → null; status_changed_at: 20\S+ → 20\S+$/);
    await rows.nth(0).locator('details summary').click();
    expect(await rows.nth(0).locator('.console-diff').textContent()).toMatch(/before.*"suspended_at": "20.*after.*"suspended_at": null/s);
    await screenshot('audit');
    await redrawn(() => page.goto(`${net.hub.url}/dashboard#/console/audit?outcome=refused`));
    const refused = await page.locator('#audit-log tbody tr').allTextContents();
    const apiRefused = (await api('/admin/audit', { outcome: 'refused' })).items;
    expect(refused).toHaveLength(apiRefused.length);
    expect(refused.join('\n')).toContain('emsp: must be COUNTRY/PARTY');

    expect(err).toBe('');
  });
});
