import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyAlert } from '../../../src/core/traffic/alert-signature';
import { type PartnerAlert, PartnerAlerts } from '../../../src/hub/routing/partner-alerts';
import { locationPut } from '../../support/deliveries';
import { startNetwork, type TestNetwork, waitFor } from '../../support/network';

const SECRET = 'operator-webhook-secret-0123';

/** The operator's webhook receiver: answers the first post 500 (to see a retry), then 204. */
async function startReceiver() {
  const posts: { headers: Record<string, string | string[] | undefined>; body: string }[] = [];
  let answered = 0;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      posts.push({ headers: req.headers, body });
      res.writeHead(answered++ === 0 ? 500 : 204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { posts, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/alerts`, close: () => new Promise((r) => server.close(r)) };
}

describe('partner alerts: a stopped partner is alerted DOWN within a minute, signed, retried', () => {
  let net: TestNetwork;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let skipped = 0; // what the injected clock is ahead of the real one
  const clock = () => Date.now() + skipped;
  let alerts: PartnerAlerts;

  beforeAll(async () => {
    receiver = await startReceiver();
    net = await startNetwork({
      cpos: [],
      emsps: ['NL/ALR'],
      hub: { env: { OUTBOX_BASE_BACKOFF_MS: '50', OUTBOX_MAX_ATTEMPTS: '20', OCPI_TIMEOUT_MS: '500', ALERT_WEBHOOK_URL: receiver.url, ALERT_WEBHOOK_SECRET: SECRET } },
    });
    // The hub's own alerts, with an injected clock so the retry backoff passes without sleeping.
    alerts = new PartnerAlerts({ db: net.hub.services.db, log: net.hub.services.log, webhook: net.hub.services.config.alertWebhook, baseBackoffMs: 60_000, now: () => new Date(clock()) });
  });
  afterAll(async () => {
    await net?.close();
    await receiver?.close();
  });

  it('alerts DOWN with ECONNREFUSED and since when; the webhook post is signed and retried; the banner shows it; OK once it answers', async () => {
    const { ALR } = net.parties;
    expect(await alerts.check()).toEqual([]); // registered and healthy: nothing to say

    const stoppedAt = Date.now();
    await ALR.partner.stop();
    await net.hub.services.outbox.enqueue([locationPut(net, 'ALR', 'X1'), locationPut(net, 'ALR', 'X2')]);
    const seen: PartnerAlert[] = [];
    await waitFor(async () => {
      seen.push(...(await alerts.check()));
      return seen.some((a) => a.status === 'DOWN');
    }, 'a DOWN alert', 30_000);
    expect(Date.now() - stoppedAt).toBeLessThan(60_000);
    const down = seen.find((a) => a.status === 'DOWN')!;
    expect(down).toMatchObject({ type: 'partner_health', partner: 'NL/ALR', party_id: ALR.id, consecutive_failures: expect.any(Number) });
    expect(down.last_error).toMatch(/failed: ECONNREFUSED$/);
    expect(new Date(down.failing_since!).getTime()).toBeGreaterThanOrEqual(stoppedAt - 1000);
    // Each change alerted once: checking again says nothing new.
    expect((await alerts.check()).filter((a) => a.status === 'DOWN')).toEqual([]);
    // GET /admin/parties shows the same health; GET /admin/alerts (the dashboard banner) lists it.
    const party = (await net.hub.admin.get(`/admin/parties/${ALR.id}`)).data;
    expect(party.health).toMatchObject({ status: 'DOWN', failing_since: down.failing_since });
    const banner = (await net.hub.admin.get('/admin/alerts')).data;
    expect(banner.partners).toEqual([expect.objectContaining({ partner: 'NL/ALR', status: 'DOWN', failing_since: down.failing_since })]);
    expect(banner.partners[0].last_error).toContain('ECONNREFUSED');

    // The first post is answered 500 and waits its backoff; after it (the clock moved on) it goes out.
    const firstRound = await alerts.deliver();
    expect(firstRound).toEqual({ failed: 1, delivered: seen.length - 1 });
    expect((await net.hub.admin.get('/admin/alerts')).data.webhook.pending).toBe(1);
    expect(await alerts.deliver()).toEqual({ failed: 0, delivered: 0 }); // not due yet: nothing sent again
    skipped += 10 * 60_000;
    await alerts.deliver();
    expect((await net.hub.admin.get('/admin/alerts')).data.webhook).toEqual({ pending: 0, failed: 0 });
    const posted = receiver.posts.map((p) => JSON.parse(p.body) as PartnerAlert);
    // Every alert posted, in order; the refused first one once more at the end.
    expect(posted).toEqual([...seen, seen[0]]);
    for (const post of receiver.posts) {
      const headers = { signature: post.headers['x-hub-signature'] as string, timestamp: post.headers['x-hub-timestamp'] as string };
      expect(post.headers['content-type']).toBe('application/json');
      expect(verifyAlert(SECRET, headers, post.body, Math.floor(clock() / 1000), 3600)).toBe(true);
      expect(verifyAlert('not-the-secret-at-all', headers, post.body, Math.floor(clock() / 1000), 3600)).toBe(false);
    }

    await ALR.partner.start();
    await waitFor(() => ALR.partner.received('PUT', '/ocpi/2.2.1/locations/NL/CPO/X2')[0], 'the delivery after the restart', 20_000);
    const recovered = await waitFor(async () => (await alerts.check()).find((a) => a.status === 'OK'), 'an OK alert', 20_000);
    expect(recovered).toMatchObject({ partner: 'NL/ALR', previous: expect.stringMatching(/DOWN|DEGRADED/), consecutive_failures: 0, failing_since: null });
    expect((await net.hub.admin.get('/admin/alerts')).data.partners).toEqual([]);
  });
});
