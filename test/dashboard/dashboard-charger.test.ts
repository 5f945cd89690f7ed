import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import axios from 'axios';
import type { Browser, Page } from 'playwright-core';
import { createRPCError, type RPCClient } from 'ocpp-rpc';
import { CHROMIUM, launchChromium, signInToDashboard } from '../support/browser';
import { connectChargePoint } from '../support/charge-point';
import { waitFor } from '../support/network';
import { ownLocation } from '../support/own-network';
import { startTestHub, type TestHub } from '../support/test-hub';

const chromiumInstalled = existsSync(CHROMIUM);
if (!chromiumInstalled) process.stdout.write(`dashboard charger page browser test skipped: ${CHROMIUM} is not installed\n`);
const describeWithChromium = chromiumInstalled ? describe : describe.skip;

jest.setTimeout(90_000);

const PASSWORD = 'charger-page-pass-0001';
const IMAGES = path.join(__dirname, '..', '..', 'docs', 'images');

describeWithChromium('the dashboard\'s charger page in Chromium, with real OCPP chargers', () => {
  let hub: TestHub;
  let browser: Browser;
  let page: Page;
  let cp16: RPCClient;
  let cp201: RPCClient;
  /** What each charger received from the hub. */
  const received16: { method: string; params: any }[] = [];
  const received201: { method: string; params: any }[] = [];
  const logCount = async (id: string) => (await hub.services.db.query(`SELECT count(*)::int AS n FROM charger_actions WHERE charger_id = $1`, [id]))[0].n as number;

  beforeAll(async () => {
    hub = await startTestHub({ env: { PUBLIC_URL: 'http://hub.invalid' }, logLevel: 'warn' });
    const own = hub.services.ownCpo;
    await hub.services.locations.change(own, undefined, { locationId: 'PAGE1' }, 'PUT', { ...ownLocation('PAGE1', ['E1', 'E2']), country_code: own.countryCode, party_id: own.partyId });
    for (const [id, connector, evse] of [['PAGE16', '1', 'E1'], ['PAGE201', '1/1', 'E2']]) {
      const response = await hub.admin.post('/admin/chargers', { id, password: PASSWORD, location_id: 'PAGE1', evses: [{ ocpp_connector: connector, evse_uid: evse, connector_id: '1' }] });
      expect(response.status).toBe(201);
    }

    cp16 = await connectChargePoint(hub, { id: 'PAGE16', password: PASSWORD, protocol: 'ocpp1.6' });
    // The 1.6 charger's configuration: what ChangeConfiguration changes, GetConfiguration reads.
    const configuration = new Map([['HeartbeatInterval', '300']]);
    cp16.handle(async ({ method, params }: { method?: string; params?: any }) => {
      received16.push({ method: method!, params });
      switch (method) {
        case 'Reset': return { status: 'Accepted' };
        case 'UnlockConnector': return { status: 'UnlockFailed' };
        // A charger that never answers this one: the page shows the timeout.
        case 'ClearCache': return new Promise(() => undefined);
        case 'GetConfiguration':
          return { configurationKey: [{ key: 'HeartbeatInterval', readonly: false, value: configuration.get('HeartbeatInterval') }, { key: 'ChargePointModel', readonly: true, value: 'AC22' }] };
        case 'ChangeConfiguration':
          configuration.set(params.key, params.value);
          return { status: 'Accepted' };
        case 'GetDiagnostics': return { fileName: 'diag.zip' };
        case 'UpdateFirmware': return {};
        case 'TriggerMessage': throw createRPCError('NotSupported', 'no triggers on this firmware');
        default: return { status: 'Accepted' };
      }
    });
    await cp16.call('BootNotification', { chargePointVendor: 'Alfen', chargePointModel: 'AC22', chargePointSerialNumber: 'SN-16', firmwareVersion: '4.1' });
    await cp16.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available' });
    await cp16.call('Heartbeat', {});

    cp201 = await connectChargePoint(hub, { id: 'PAGE201', password: PASSWORD, protocol: 'ocpp2.0.1' });
    cp201.handle(async ({ method, params }) => {
      received201.push({ method: method!, params });
      if (method === 'SetVariables') {
        return { setVariableResult: (params as any).setVariableData.map((d: any) => ({ attributeStatus: 'Accepted', component: d.component, variable: d.variable })) };
      }
      return { status: 'Accepted' };
    });
    await cp201.call('BootNotification', { reason: 'PowerUp', chargingStation: { vendorName: 'Kempower', model: 'DC150', firmwareVersion: '2.3' } });
    await cp201.call('Heartbeat', {});
    await cp201.call('StatusNotification', { timestamp: new Date().toISOString(), connectorStatus: 'Occupied', evseId: 1, connectorId: 1 });
    await cp201.call('NotifyReport', {
      requestId: 1, generatedAt: new Date().toISOString(), seqNo: 0,
      reportData: [
        { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' }, variableAttribute: [{ type: 'Actual', value: '300', mutability: 'ReadWrite' }] },
        { component: { name: 'SecurityCtrlr' }, variable: { name: 'SecurityProfile' }, variableAttribute: [{ type: 'Actual', value: '1', mutability: 'ReadOnly' }] },
      ],
    });

    const launched = await launchChromium();
    if ('unavailable' in launched) throw new Error(launched.unavailable);
    browser = launched.browser;
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 }, acceptDownloads: true });
    mkdirSync(IMAGES, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    // force: the timed-out ClearCache is never answered.
    await Promise.all([cp16?.close({ force: true }), cp201?.close({ force: true })]);
    await hub?.close();
  });

  /** Waits until the page has loaded the charger again since `previous`. */
  const loaded = async (previous?: string | null) => {
    await waitFor(async () => {
      const now = await page.locator('body').getAttribute('data-charger-loaded');
      return now !== null && now !== previous;
    }, 'the charger page to load', 15_000);
    return page.locator('body').getAttribute('data-charger-loaded');
  };
  const result = () => page.locator('#charger-result');
  const seq = async () => Number((await result().getAttribute('data-seq')) ?? 0);
  /** What `act` came to, as the result pane shows it (the pane counts its results: this is a new one). */
  const outcome = async (act: () => Promise<unknown>) => {
    const before = await seq();
    await act();
    await waitFor(async () => (await seq()) > before, 'the call to come to an outcome', 20_000);
    return { outcome: await result().getAttribute('data-outcome'), detail: await page.locator('#charger-result [data-result="detail"]').textContent(), http: await page.locator('#charger-result [data-result="http"]').textContent() };
  };
  const topLogRow = () => page.locator('#charger-log tbody tr[data-action-id]').first();
  const confirmDialog = async (expected: RegExp, answer: 'yes' | 'no') => {
    await page.locator('#charger-confirm[open]').waitFor();
    expect(await page.locator('#charger-confirm-text').textContent()).toMatch(expected);
    await page.click(`#charger-confirm button[value="${answer}"]`);
  };

  it('lists the chargers and shows a 1.6 charger\'s live state with the 1.6 controls', async () => {
    await signInToDashboard(page, hub.url, hub.adminKey, '#/chargers');
    await page.locator('#charger-list tbody tr[data-charger="PAGE16"]').waitFor();
    expect(await page.locator('#charger-list tbody tr[data-charger]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-charger')))).toEqual(['PAGE16', 'PAGE201']);
    await page.click('#charger-list tr[data-charger="PAGE16"] a');
    await page.locator('#charger-connectors tr[data-connector="1"]').waitFor();

    expect(await page.locator('#charger-title').textContent()).toBe('Charger PAGE16');
    expect(await page.locator('[data-fact="connection"]').textContent()).toBe('connected');
    expect(await page.locator('[data-fact="protocol"]').textContent()).toBe('ocpp1.6');
    expect(await page.locator('[data-fact="boot"]').textContent()).toBe('Alfen AC22 · s/n SN-16 · firmware 4.1');
    expect(await page.locator('[data-fact="heartbeat"]').textContent()).toMatch(/^\d+ s ago \(\d\d\/\d\d\/\d{4}, \d\d:\d\d:\d\d\)$/);
    const connector = page.locator('#charger-connectors tr[data-connector="1"]');
    expect(await connector.locator('[data-col="ocpp"]').textContent()).toBe('Available');
    expect(await connector.locator('[data-col="ocpi"]').textContent()).toBe('AVAILABLE');
    // 1.6: its trigger messages, no display messages; the generic form offers the 1.6 actions.
    expect(await page.locator('#charger-controls [data-control="display"]').count()).toBe(0);
    expect(await page.locator('#charger-controls [data-control="trigger"] option').allTextContents()).toContain('DiagnosticsStatusNotification');
    expect(await page.locator('#charger-action-names option[value="GetConfiguration"]').count()).toBe(1);
    expect(await page.locator('#charger-action-names option[value="SetVariables"]').count()).toBe(0);
    // The live route the page reads, as the API answers it.
    const live = (await hub.admin.get('/admin/chargers/PAGE16/live')).data;
    expect(live.connectors).toEqual([expect.objectContaining({ ocpp_connector: '1', ocpp_status: 'Available', evse_uid: 'E1', connector_id: '1', ocpi_status: 'AVAILABLE', session_id: null })]);
  });

  it('asks before a reset, sends nothing when cancelled, and sends, shows and logs it with "dashboard" when confirmed', async () => {
    const before = await logCount('PAGE16');
    await page.click('[data-do="reset-hard"]');
    await confirmDialog(/Hard reset/, 'no');
    expect(received16.filter((r) => r.method === 'Reset')).toEqual([]);

    expect(await outcome(async () => {
      await page.click('[data-do="reset-soft"]');
      await page.locator('#charger-confirm[open]').waitFor();
      await page.screenshot({ path: path.join(IMAGES, 'charger-page-confirm.png') });
      await confirmDialog(/Soft reset the charger\?/, 'yes');
    })).toEqual({ outcome: 'accepted', detail: 'answer {"status":"Accepted"}', http: 'HTTP 200' });
    await waitFor(async () => (await topLogRow().locator('[data-col="action"]').textContent()) === 'Reset', 'the reset in the log');
    expect(received16.filter((r) => r.method === 'Reset').map((r) => r.params)).toEqual([{ type: 'Soft' }]);
    expect(await logCount('PAGE16')).toBe(before + 1);
    const row = topLogRow();
    expect(await row.locator('[data-col="by"]').textContent()).toBe('dashboard');
    expect(await row.locator('[data-col="action"]').textContent()).toBe('Reset');
    expect(await row.locator('[data-col="status"]').textContent()).toBe('accepted');
    expect((await hub.admin.get('/admin/chargers/PAGE16/actions?limit=1')).data[0]).toMatchObject({ requested_by: 'dashboard', action: 'Reset', params: { type: 'Soft' }, status: 'accepted' });
  });

  it('shows a rejected action and a timed-out one with their status, in the result and in the log', async () => {
    expect(await outcome(async () => {
      await page.click('#charger-connectors tr[data-connector="1"] [data-do="unlock"]');
      await confirmDialog(/Unlock connector 1\?/, 'yes');
    })).toEqual({ outcome: 'rejected', detail: 'answer {"status":"UnlockFailed"}', http: 'HTTP 200' });
    await waitFor(async () => (await topLogRow().locator('[data-col="action"]').textContent()) === 'UnlockConnector', 'the unlock in the log');
    expect(await topLogRow().locator('[data-col="status"]').textContent()).toBe('rejected');
    expect(await topLogRow().locator('[data-col="answer"]').textContent()).toBe('{"status":"UnlockFailed"}');

    await page.fill('#charger-timeout', '1');
    const timedOut = await outcome(async () => {
      await page.click('[data-do="clear-cache"]');
      await confirmDialog(/Clear the charger's authorization cache\?/, 'yes');
    });
    expect(timedOut).toMatchObject({ outcome: 'timeout', http: 'HTTP 504' });
    expect(timedOut.detail).toMatch(/^Timeout: /);
    await waitFor(async () => (await topLogRow().locator('[data-col="action"]').textContent()) === 'ClearCache', 'the clear cache in the log');
    expect(await topLogRow().locator('[data-col="status"]').textContent()).toBe('timeout');
    expect(await topLogRow().getAttribute('class')).toBe('outcome-timeout');
    expect(received16.filter((r) => r.method === 'ClearCache')).toHaveLength(1);
    await page.fill('#charger-timeout', '30');
  });

  it('reads the 1.6 configuration and changes a writable key with change-configuration', async () => {
    expect((await outcome(() => page.click('#charger-read-config'))).outcome).toBe('accepted');
    const key = page.locator('#charger-variables tr[data-variable="OCPP16.HeartbeatInterval/Actual"]');
    await key.waitFor();
    expect(await key.locator('[data-col="value"]').textContent()).toBe('300');
    expect(await key.locator('[data-col="mutability"]').textContent()).toBe('ReadWrite');
    // A read-only key has no Edit.
    expect(await page.locator('#charger-variables tr[data-variable="OCPP16.ChargePointModel/Actual"] [data-do="edit"]').count()).toBe(0);

    await key.locator('[data-do="edit"]').click();
    await key.locator('input').fill('600');
    expect((await outcome(() => key.locator('[data-do="save"]').click())).outcome).toBe('accepted');
    expect(received16.filter((r) => r.method === 'ChangeConfiguration').map((r) => r.params)).toEqual([{ key: 'HeartbeatInterval', value: '600' }]);
    await waitFor(async () => (await key.locator('[data-col="value"]').textContent()) === '600', 'the new value in the table');
    expect(await key.locator('[data-col="set"]').textContent()).toMatch(/^600 → Accepted /);
    expect(await topLogRow().locator('[data-col="by"]').textContent()).toBe('dashboard');
  });

  it('the generic form refuses bad JSON and params the schema refuses, with its message, and sends nothing', async () => {
    const before = await logCount('PAGE16');
    const sent = received16.length;
    const generic = page.locator('[data-control="generic"]');
    await generic.locator('input[name="action"]').fill('Reset');
    await generic.locator('textarea[name="params"]').fill('{"type": ');
    let shown = await outcome(() => generic.locator('button[type="submit"]').click());
    expect(shown.outcome).toBe('not sent');
    expect(shown.detail).toMatch(/^params is not JSON: /);

    await generic.locator('textarea[name="params"]').fill('{"type": "Gentle"}');
    shown = await outcome(() => generic.locator('button[type="submit"]').click());
    expect(shown.outcome).toBe('not sent');
    expect(shown.http).toBe('HTTP 400');
    expect(shown.detail).toMatch(/params\/type must be equal to one of the allowed values/);
    expect(received16.length).toBe(sent);
    expect(await logCount('PAGE16')).toBe(before);

    // A valid call through the same form is sent and logged.
    await generic.locator('textarea[name="params"]').fill('{"key": ["HeartbeatInterval"]}');
    await generic.locator('input[name="action"]').fill('GetConfiguration');
    expect((await outcome(() => generic.locator('button[type="submit"]').click())).outcome).toBe('accepted');
    expect(received16.at(-1)).toEqual({ method: 'GetConfiguration', params: { key: ['HeartbeatInterval'] } });
  });

  it('asks for diagnostics and offers the uploaded file for download; uploads firmware after asking', async () => {
    expect((await outcome(() => page.click('[data-control="diagnostics"] button[type="submit"]'))).outcome).toBe('accepted');
    const location = received16.filter((r) => r.method === 'GetDiagnostics').at(-1)!.params.location as string;
    // The charger uploads to its one-time URL.
    expect((await axios.put(location.replace('http://hub.invalid', hub.url), 'diagnostics of PAGE16', { headers: { 'Content-Type': 'text/plain' } })).status).toBeLessThan(300);
    await page.click('#refresh');
    const file = page.locator('#charger-files tr[data-file] [data-do="download"]');
    await file.first().waitFor({ timeout: 15_000 });
    const [download] = await Promise.all([page.waitForEvent('download'), file.first().click()]);
    const content = await new Promise<string>((resolve, reject) => {
      void download.createReadStream().then((stream) => {
        let text = '';
        stream.on('data', (chunk) => (text += chunk));
        stream.on('end', () => resolve(text));
        stream.on('error', reject);
      });
    });
    expect(content).toBe('diagnostics of PAGE16');

    await page.setInputFiles('[data-control="firmware"] input[type="file"]', { name: 'fw-4.2.bin', mimeType: 'application/octet-stream', buffer: Buffer.from('firmware bytes') });
    expect((await outcome(async () => {
      await page.click('[data-control="firmware"] button[type="submit"]');
      await confirmDialog(/Send firmware fw-4\.2\.bin \(14 bytes\)/, 'yes');
    })).outcome).toBe('accepted');
    const update = received16.filter((r) => r.method === 'UpdateFirmware').at(-1)!.params;
    expect(update.location).toMatch(/^http:\/\/hub\.invalid\/ocpp-uploads\/[A-Za-z0-9_-]+\/fw-4\.2\.bin$/);
    expect((await axios.get(update.location.replace('http://hub.invalid', hub.url))).data).toBe('firmware bytes');
  });

  it('shows a CALLERROR with its code and message, and the running transaction on its connector', async () => {
    const shown = await outcome(() => page.click('[data-control="trigger"] button[type="submit"]'));
    expect(shown).toEqual({ outcome: 'CALLERROR', detail: 'NotSupported: no triggers on this firmware', http: 'HTTP 502' });
    await waitFor(async () => (await topLogRow().locator('[data-col="action"]').textContent()) === 'TriggerMessage', 'the trigger in the log');
    expect(await topLogRow().locator('[data-col="status"]').textContent()).toBe('CALLERROR');

    // What the charger reports back is listed under Events.
    await cp16.call('FirmwareStatusNotification', { status: 'Downloading' });
    const started = (await cp16.call('StartTransaction', { connectorId: 1, idTag: 'PAGE-TAG', meterStart: 1000, timestamp: new Date().toISOString() })) as { transactionId: number };
    await cp16.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Charging' });
    const { sessionId } = (await hub.services.transactions.find('PAGE16', String(started.transactionId)))!;
    await page.click('#refresh');
    const row = page.locator(`#charger-transactions tr[data-session="${sessionId}"]`);
    await row.waitFor({ timeout: 15_000 });
    expect(await row.textContent()).toContain('PAGE-TAG');
    const connector = page.locator('#charger-connectors tr[data-connector="1"]');
    await waitFor(async () => (await connector.locator('[data-col="ocpp"]').textContent()) === 'Charging', 'the Charging status');
    expect(await connector.locator('[data-col="ocpi"]').textContent()).toBe('CHARGING');
    expect(await connector.locator('[data-col="session"]').textContent()).toBe(sessionId);
    const event = page.locator('#charger-events tbody tr[data-event]').first();
    await event.waitFor();
    expect(await event.textContent()).toContain('FirmwareStatusNotification{"status":"Downloading"}');
    await page.screenshot({ path: path.join(IMAGES, 'charger-page.png'), fullPage: true });
  });

  it('shows a 2.0.1 station with the 2.0.1 controls and changes a variable with set-variables', async () => {
    const stamp = await page.locator('body').getAttribute('data-charger-loaded');
    await page.goto(`${hub.url}/dashboard#/chargers/PAGE201`);
    await loaded(stamp);
    await page.locator('#charger-connectors tr[data-connector="1/1"]').waitFor();
    expect(await page.locator('[data-fact="protocol"]').textContent()).toBe('ocpp2.0.1');
    expect(await page.locator('[data-fact="boot"]').textContent()).toBe('Kempower DC150 · firmware 2.3');
    const connector = page.locator('#charger-connectors tr[data-connector="1/1"]');
    expect(await connector.locator('[data-col="ocpp"]').textContent()).toBe('Occupied');
    expect(await page.locator('#charger-controls [data-control="display"]').count()).toBe(1);
    expect(await page.locator('#charger-controls [data-control="trigger"] option').allTextContents()).toContain('TransactionEvent');
    expect(await page.locator('#charger-action-names option[value="SetVariables"]').count()).toBe(1);
    expect(await page.locator('#charger-action-names option[value="GetConfiguration"]').count()).toBe(0);

    const variable = page.locator('#charger-variables tr[data-variable="OCPPCommCtrlr.HeartbeatInterval/Actual"]');
    await variable.waitFor();
    expect(await page.locator('#charger-variables tr[data-variable="SecurityCtrlr.SecurityProfile/Actual"] [data-do="edit"]').count()).toBe(0);
    await variable.locator('[data-do="edit"]').click();
    await variable.locator('input').fill('90');
    expect((await outcome(() => variable.locator('[data-do="save"]').click())).outcome).toBe('accepted');
    expect(received201.filter((r) => r.method === 'SetVariables').map((r) => r.params)).toEqual([
      { setVariableData: [{ attributeValue: '90', component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } }] },
    ]);
    await waitFor(async () => (await variable.locator('[data-col="set"]').textContent())?.startsWith('90 → Accepted') ?? false, 'the set value in the table');
    expect(await variable.locator('[data-col="value"]').textContent()).toBe('90');

    // Availability per connector: making it inoperative asks first, then sends the 2.0.1 form.
    expect((await outcome(async () => {
      await connector.locator('[data-do="inoperative"]').click();
      await confirmDialog(/Make connector 1\/1 inoperative\?/, 'yes');
    })).outcome).toBe('accepted');
    expect(received201.filter((r) => r.method === 'ChangeAvailability').map((r) => r.params)).toEqual([{ operationalStatus: 'Inoperative', evse: { id: 1, connectorId: 1 } }]);

    await page.fill('[data-control="display"] input[name="message"]', 'Out of order until noon');
    expect((await outcome(() => page.click('[data-control="display"] button[type="submit"]'))).outcome).toBe('accepted');
    expect(received201.filter((r) => r.method === 'SetDisplayMessage').at(-1)!.params.message.message).toEqual({ format: 'UTF8', content: 'Out of order until noon' });
    await page.screenshot({ path: path.join(IMAGES, 'charger-page-201.png'), fullPage: true });
  });
});
