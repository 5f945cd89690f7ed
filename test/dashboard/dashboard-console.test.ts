import { existsSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { runCli } from '../../src/cli/ocpi-hub-cli';
import { CHROMIUM, launchChromium } from '../support/browser';
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
    await waitFor(async () => (await api('/admin/outbox')).length === 0, 'every push delivered', 20_000);
    // Two deliveries fail (the eMSP's server is down; one attempt only), then it is back.
    await net.parties.BEM.partner.stop();
    await net.hub.services.outbox.enqueue([locationPut(net, 'BEM', 'FX1'), locationPut(net, 'BEM', 'FX2')]);
    await waitFor(async () => (await api('/admin/outbox', { status: 'failed' })).length === 2, 'two failed deliveries', 20_000);
    await net.parties.BEM.partner.start();
    await net.hub.services.traffic.drain();

    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(`${net.hub.url}/dashboard`);
    await page.fill('#key-input', net.hub.adminKey);
    await page.click('#key-form button');
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
    const shown = (await page.locator('#search-results tbody tr td:first-child').allTextContents()).map((t) => t.replace('NL/BCP ', ''));
    expect(shown).toEqual(Array.from({ length: 28 }, (_, i) => `S${28 - i}`));

    // CDRs by rating status, then the story: the push to DE/BEM with its answer, the rating, the session.
    const cdrs = await api('/admin/search/cdrs', { party: 'NL/BCP' });
    const [cdr] = cdrs.items;
    await redrawn(() => page.goto(`${net.hub.url}/dashboard#/console/search/cdrs?status=${cdr.status}`));
    await redrawn(() => page.locator('#search-results tbody tr a').first().click());
    expect(await page.locator('#story-title').textContent()).toBe(`CDR NL/BCP ${cdr.id}`);
    expect(await page.locator('#story-pushes tbody tr').first().textContent()).toMatch(/DE\/BEM.*POST.*delivered.*✓ HTTP 200 \/ OCPI 1000/);
    expect(await page.locator('#story-rating').textContent()).toContain((await api(`/admin/search/cdrs/NL/BCP/${cdr.id}/story`)).rating?.status ?? 'Not rated');
    expect(await page.locator('#story-ocpp').textContent()).toContain('Not an own charger');
    await redrawn(() => page.locator('a[href*="story/sessions/NL/BCP/S1"]').click());
    expect(await page.locator('#story-title').textContent()).toBe('Session NL/BCP S1');
  });

  it('shows the audit log with filters, a CLI action included', async () => {
    let err = '';
    expect(await runCli(['party', 'suspend', net.parties.BEM.id, '--hub', net.hub.url], { out: () => undefined, err: (t) => (err += t), env: { ADMIN_API_KEY: net.hub.adminKey } })).toBe(0);
    expect(await runCli(['party', 'resume', net.parties.BEM.id, '--hub', net.hub.url], { out: () => undefined, err: (t) => (err += t), env: { ADMIN_API_KEY: net.hub.adminKey } })).toBe(0);
    await redrawn(() => page.goto(`${net.hub.url}/dashboard#/console/audit?client=cli`));
    const rows = page.locator('#audit-log tbody tr');
    expect(await rows.count()).toBe(2);
    expect(await rows.nth(0).textContent()).toMatch(/admin\s*cli.*POST \/admin\/parties\/\{id\}\/resume/);
    await redrawn(() => page.goto(`${net.hub.url}/dashboard#/console/audit?outcome=refused`));
    const refused = await page.locator('#audit-log tbody tr').allTextContents();
    const apiRefused = (await api('/admin/audit', { outcome: 'refused' })).items;
    expect(refused).toHaveLength(apiRefused.length);
    expect(refused.join('\n')).toContain('emsp: must be COUNTRY/PARTY');
    expect(err).toBe('');
  });
});
