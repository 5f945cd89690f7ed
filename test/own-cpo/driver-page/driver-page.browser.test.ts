import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { RPCClient } from 'ocpp-rpc';
import { CHROMIUM, launchChromium } from '../../support/browser';
import { type FakeStripe, startFakeStripe, WEBHOOK_SECRET } from '../../support/fake-stripe';
import { waitFor } from '../../support/network';
import { type OwnNetwork, startOwnNetwork } from '../../support/own-network';

// Skipped only where Chromium is not installed (.ci/run installs it with apt-get when it can).
const chromiumInstalled = existsSync(CHROMIUM);
if (!chromiumInstalled) process.stdout.write(`driver page browser test skipped: ${CHROMIUM} is not installed\n`);
const describeWithChromium = chromiumInstalled ? describe : describe.skip;

/** Where screenshots go: docs/images when DRIVER_PAGE_SCREENSHOTS=1 (how the README's pictures are made), else nowhere. */
const SCREENSHOTS = process.env.DRIVER_PAGE_SCREENSHOTS === '1' ? path.join(__dirname, '../../../docs/images') : undefined;

jest.setTimeout(90_000);

/** A phone: 390 × 844 CSS pixels, touch, English first. */
const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'en-GB', extraHTTPHeaders: { 'Accept-Language': 'en-GB,en;q=0.9' } };

describeWithChromium('the driver\'s page in Chromium on a phone: scan, see the price, pay, charge, receipt', () => {
  let stripe: FakeStripe;
  let net: OwnNetwork;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const chargers: Record<string, RPCClient> = {};
  let codes: Record<string, string>;
  const transactionIds: Record<string, number> = {};
  /** Whether a charger answers a remote start by starting (true) or accepts and never starts (false). */
  const startsAfterRemoteStart: Record<string, boolean> = { DRV1: true, DRV2: false };

  async function phone(): Promise<Page> {
    const context = await browser.newContext(PHONE);
    contexts.push(context);
    return context.newPage();
  }
  const shot = async (page: Page, name: string) => {
    if (!SCREENSHOTS) return;
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SCREENSHOTS, `driver-${name}.png`), fullPage: true });
  };
  const paymentsOf = async (charger: string) =>
    (await net.hub.services.db.query(`SELECT id, status, failure, checkout_session_id, payment_intent_id FROM payments WHERE charger_id = $1 ORDER BY created_at`, [charger])) as {
      id: string;
      status: string;
      failure: string | null;
      checkout_session_id: string;
      payment_intent_id: string | null;
    }[];

  beforeAll(async () => {
    stripe = await startFakeStripe();
    net = await startOwnNetwork({
      emsps: ['NL/EM1'],
      evses: ['E1', 'E2'],
      hub: { env: { ...stripe.env, PAYMENT_HOLD_AMOUNT: '20.00', PAYMENT_CURRENCY: 'EUR', PAYMENT_START_TIMEOUT_SECONDS: '1' } },
    });
    stripe.server.setWebhook({ url: `${net.hub.url}/stripe/webhook`, secret: WEBHOOK_SECRET });
    await net.addCharger('DRV1', 'ocpp1.6', 'SITE1', 'E1');
    await net.addCharger('DRV2', 'ocpp1.6', 'SITE1', 'E2');
    // The codes the stickers carry (the admin API lists them and prints the sheet: short-codes-admin.test.ts).
    codes = Object.fromEntries((await net.hub.services.driverPage.codes.all()).map((c) => [c.chargerId, c.code]));
    for (const id of ['DRV1', 'DRV2']) {
      const cp = await net.connect(id, 'ocpp1.6');
      chargers[id] = cp;
      await cp.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available' });
      cp.handle('RemoteStartTransaction', async ({ params = {} }) => {
        if (startsAfterRemoteStart[id]) {
          setTimeout(async () => {
            await cp.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Charging' });
            const answer = (await cp.call('StartTransaction', { connectorId: params.connectorId ?? 1, idTag: params.idTag, meterStart: 1000, timestamp: new Date().toISOString() })) as { transactionId: number };
            transactionIds[id] = answer.transactionId;
          }, 50);
        }
        return { status: 'Accepted' };
      });
      cp.handle('RemoteStopTransaction', async ({ params = {} }) => {
        setTimeout(async () => {
          await cp.call('StopTransaction', { transactionId: params.transactionId, meterStop: 13_500, timestamp: new Date().toISOString(), reason: 'Remote' });
          await cp.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available' });
        }, 50);
        return { status: 'Accepted' };
      });
    }
    const launched = await launchChromium();
    if ('unavailable' in launched) throw new Error(launched.unavailable); // installed but broken: a failure, not a skip
    browser = launched.browser;
  });
  afterAll(async () => {
    await Promise.all(contexts.map((c) => c.close()));
    await browser?.close();
    await net?.close();
    await stripe?.close();
  });

  it('scan → price → pay on the Checkout page → charging with live figures → reload → stop → receipt (HTML and PDF)', async () => {
    const page = await phone();
    const scanned = await page.goto(`${net.hub.url}/c/${codes.DRV1.toLowerCase()}`);
    expect(scanned?.status()).toBe(200);
    expect(page.url()).toBe(`${net.hub.url}/c/${codes.DRV1}`); // the canonical code
    await expect(page.locator('h1').textContent()).resolves.toBe('Hub site SITE1');
    await expect(page.locator('[data-field="status"]').textContent()).resolves.toBe('Available');
    // OWN_TARIFF: 0.25/kWh and 2.00/h, 10 % VAT: 0.275 per kWh, 0.0367 per minute incl. VAT; 20 kWh in 1 h: 7.70.
    await expect(page.locator('[data-price="ENERGY"] strong').textContent()).resolves.toBe('0.275 EUR');
    await expect(page.locator('[data-price="TIME"] strong').textContent()).resolves.toBe('0.0367 EUR');
    await expect(page.locator('[data-typical]').textContent()).resolves.toBe('A typical session: 20 kWh in 60 min costs 7.70 EUR');
    // The page is small: no framework, a few KB.
    const sizes = await page.evaluate(() => performance.getEntriesByType('resource').map((e) => (e as unknown as { transferSize: number }).transferSize));
    const html = (await page.content()).length;
    expect(html + sizes.reduce((a, b) => a + b, 0)).toBeLessThan(40_000);
    await shot(page, 'price');
    // Labelled controls, reachable by keyboard: Tab past the language link to the pay button, Enter pays.
    const focused = async () => (await page.locator(':focus').textContent())?.trim();
    const seen: (string | undefined)[] = [];
    for (let i = 0; i < 5 && seen.at(-1) !== 'Pay with card and start'; i++) {
      await page.keyboard.press('Tab');
      seen.push(await focused());
    }
    expect(seen).toEqual(['NL', 'Pay with card and start']);
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/c\/pay\/cs_test_/);
    await page.getByLabel('Card number').fill('4242 4242 4242 4242');
    await page.getByRole('button', { name: /^Pay/ }).click();
    await page.waitForURL(new RegExp(`/c/${codes.DRV1}\\?lang=en&paid=cs_test_`));
    // Back from Checkout, possibly before Stripe's webhook: the page waits ("paying") and polls.
    await stripe.server.webhooksSettled();
    const [payment] = await paymentsOf('DRV1');
    expect(payment).toMatchObject({ status: 'held', payment_intent_id: expect.stringMatching(/^pi_/) });
    expect(stripe.server.paymentIntents.get(payment.payment_intent_id!)).toMatchObject({ capture_method: 'manual', status: 'requires_capture', amount_capturable: 2000 });

    // The charger starts; its readings appear on the page by polling.
    await waitFor(() => transactionIds.DRV1, 'the remote start');
    await page.getByRole('heading', { name: 'Charging' }).waitFor({ timeout: 15_000 });
    await chargers.DRV1.call('MeterValues', {
      connectorId: 1,
      transactionId: transactionIds.DRV1,
      meterValue: [{ timestamp: new Date().toISOString(), sampledValue: [{ value: '8500', measurand: 'Energy.Active.Import.Register', unit: 'Wh' }, { value: '11000', measurand: 'Power.Active.Import', unit: 'W' }] }],
    });
    await waitFor(async () => (await page.locator('[data-field="kwh"]').textContent()) === '7.50', 'the live energy on the page', 15_000);
    await expect(page.locator('[data-field="power_kw"]').textContent()).resolves.toBe('11.0');
    await expect(page.locator('[data-field="cost_so_far"]').textContent()).resolves.toMatch(/^\d+\.\d{2} EUR$/);
    await shot(page, 'charging');

    // Reloaded mid-session: the cookie bound to the payment keeps it. Another driver scanning the same code sees "in use".
    await page.reload();
    await expect(page.getByRole('heading', { name: 'Charging' }).count()).resolves.toBe(1);
    const other = await phone();
    await other.goto(`${net.hub.url}/c/${codes.DRV1}`);
    await expect(other.locator('[data-refusal="in_use"]').textContent()).resolves.toBe('This connector is in use. Please choose another one.');
    await expect(other.getByRole('button', { name: 'Pay with card and start' }).count()).resolves.toBe(0);
    expect((await other.request.get(`${net.hub.url}/c/${codes.DRV1}/session`)).status()).toBe(404);

    // Stop: the charger stops, the CDR is priced, the final cost captured, the page shows the receipt.
    await page.getByRole('button', { name: 'Stop charging' }).click();
    await page.getByRole('heading', { name: 'Charging finished' }).waitFor({ timeout: 20_000 });
    await page.locator('[data-action="receipt"]').waitFor({ timeout: 20_000 });
    const settled = (await paymentsOf('DRV1'))[0];
    expect(settled.status).toBe('captured');
    await page.locator('[data-action="receipt"]').click();
    await page.locator('[data-receipt]').waitFor();
    const rows = await page.locator('[data-receipt] tr').allTextContents();
    // 12.5 kWh × 0.25 = 3.125 plus the charging time; VAT 10 % on the net.
    expect(rows[0]).toMatch(/^Energy 12\.500 kWh3\.13 EUR$/);
    expect(rows.some((r) => /^VAT 10 % \(Net \d+\.\d{2} EUR\)\d+\.\d{2} EUR$/.test(r))).toBe(true);
    expect(rows.some((r) => /^Paid by card\d+\.\d{2} EUR$/.test(r))).toBe(true);
    await shot(page, 'receipt');
    const pdf = await page.request.get(`${net.hub.url}/c/${codes.DRV1}/receipt.pdf`);
    expect(pdf.headers()['content-type']).toBe('application/pdf');
    expect((await pdf.body()).subarray(0, 5).toString()).toBe('%PDF-');
  });

  it('a declined card: the Checkout page says so, nothing is held, the driver\'s page offers to pay again', async () => {
    const page = await phone();
    await page.goto(`${net.hub.url}/c/${codes.DRV2}`);
    await page.getByRole('button', { name: 'Pay with card and start' }).click();
    await page.getByLabel('Card number').fill('4000 0000 0000 0002');
    await page.getByRole('button', { name: /^Pay/ }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toBe('Your card was declined.');
    await stripe.server.webhooksSettled();
    await page.getByRole('link', { name: '← Back' }).click();
    await page.waitForURL(new RegExp(`/c/${codes.DRV2}\\?lang=en&canceled=1`));
    await expect(page.locator('p[role="alert"]').first().textContent()).resolves.toBe('Payment refused: Your card was declined. You have not been charged. Try another card.');
    await expect(page.getByRole('button', { name: 'Pay with card and start' }).count()).resolves.toBe(1);
    await shot(page, 'declined');
    const [payment] = await paymentsOf('DRV2');
    expect(payment).toMatchObject({ status: 'created', failure: 'Your card was declined.' });
    expect(stripe.server.paymentIntents.get(payment.payment_intent_id!)).toMatchObject({ status: 'requires_payment_method', amount_capturable: 0 });
  });

  it('a charger that accepts the remote start and never starts: the hold is released and the page says so', async () => {
    const page = await phone();
    await page.goto(`${net.hub.url}/c/${codes.DRV2}`);
    await page.getByRole('button', { name: 'Pay with card and start' }).click();
    await page.getByLabel('Card number').fill('4242 4242 4242 4242');
    await page.getByRole('button', { name: /^Pay/ }).click();
    await page.waitForURL(/paid=cs_test_/);
    await stripe.server.webhooksSettled();
    await expect(page.locator('[data-state-text]').textContent()).resolves.toBe('Payment received. Starting the charger…');
    const payment = (await paymentsOf('DRV2')).at(-1)!;
    expect(payment.status).toBe('held');
    // The job of lifecycle.ts (every 10 s in production; test hubs run no scheduler), after PAYMENT_START_TIMEOUT_SECONDS=1.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await net.hub.services.adHocPayments!.releaseUnstarted()).toBe(1);
    expect(stripe.server.paymentIntents.get(payment.payment_intent_id!)).toMatchObject({ status: 'canceled', cancellation_reason: 'abandoned', amount_capturable: 0 });
    // The page's poll sees the new state and reloads.
    await page.locator('[data-state-text]', { hasText: 'The charger did not start' }).waitFor({ timeout: 10_000 });
    await expect(page.locator('[data-state-text]').textContent()).resolves.toBe('The charger did not start. The amount held on your card has been released.');
    expect((await paymentsOf('DRV2')).at(-1)).toMatchObject({ status: 'canceled', failure: 'The charger did not start within 1 s; the hold was released' });
    await stripe.server.webhooksSettled();
  });
});
