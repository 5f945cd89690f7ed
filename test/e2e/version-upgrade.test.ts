// A partner that changes OCPI version while deliveries wait for it (docs/versions.md: deliveries keep the
// version their body was sent in and are translated when delivered). An eMSP on 2.2.1 answers 503 to
// every push, upgrades to 2.3.0 through a credentials update, comes back: each waiting delivery reaches
// it once, in 2.3.0, in order per object; none lost, none duplicated, none sent in 2.2.1 after the update.
import axios from 'axios';
import type { RecordedRequest } from '../support/partner';
import { startNetwork, type TestNetwork, waitFor } from '../support/network';
import { FLAVOURS, schemaProblems, type MatrixBody } from '../support/version-matrix';

describe('an eMSP upgrading from 2.2.1 to 2.3.0 with deliveries pending', () => {
  let net: TestNetwork;
  /** Pushes the eMSP accepted (answered 1000), in the order they came. */
  const accepted: RecordedRequest[] = [];
  /** Pushes it refused with a 503 while it was down. */
  const refused: RecordedRequest[] = [];
  let down = true;

  beforeAll(async () => {
    net = await startNetwork({
      cpos: ['NL/C22', 'BE/C23'],
      emsps: ['DE/UPG'],
      agreements: 'all',
      versions: { 'BE/C23': '2.3.0' },
      hub: { env: { OCPI_VERSIONS: '2.2.1,2.3.0', OUTBOX_BASE_BACKOFF_MS: '50', OUTBOX_MAX_ATTEMPTS: '50' } },
    });
    // Down for pushes (every request but the GETs of its versions and endpoints, which the handshake needs).
    net.parties.UPG.partner.intercept = (req, res) => {
      if (req.method === 'GET' || req.path.includes('/credentials')) return false;
      if (!down) {
        accepted.push(req);
        return false;
      }
      refused.push(req);
      res.writeHead(503, { 'Content-Type': 'text/plain' });
      res.end('down for the upgrade');
      return true;
    };
  }, 60_000);
  afterAll(() => net.close());

  const UPG = { country_code: 'DE', party_id: 'UPG' };
  const v221 = FLAVOURS['2.2.1'].fixtures;
  const v230 = FLAVOURS['2.3.0'].fixtures;
  const c22 = { country_code: 'NL', party_id: 'C22' };
  const c23 = { country_code: 'BE', party_id: 'C23' };
  const token221 = v221.token(UPG, 'UPG-TOKEN-1');
  const token230 = v230.token(UPG, 'UPG-TOKEN-1');

  /** What the CPOs push while the eMSP is down, each with the kind of body it is and the path it must reach in 2.3.0. */
  const pushes = [
    { from: 'C22', method: 'put', kind: 'location', body: v221.location(c22, 'LOC-A'), at: `/ocpi/2.3.0/locations/NL/C22/LOC-A` },
    { from: 'C22', method: 'patch', kind: 'location', body: { name: 'Renamed while down', last_updated: '2026-01-02T03:04:05Z' }, path: '/receiver/locations/NL/C22/LOC-A', at: `/ocpi/2.3.0/locations/NL/C22/LOC-A` },
    { from: 'C22', method: 'put', kind: 'tariff', body: v221.tariff(c22, 'TAR-A'), at: `/ocpi/2.3.0/tariffs/NL/C22/TAR-A` },
    { from: 'C22', method: 'post', kind: 'cdr', body: v221.cdr(c22, 'CDR-A', token221, 'LOC-A'), at: '/ocpi/2.3.0/cdrs' },
    { from: 'C23', method: 'put', kind: 'location', body: { ...v230.location(c23, 'LOC-B'), x_vendor_note: { kept: true } }, at: `/ocpi/2.3.0/locations/BE/C23/LOC-B` },
    { from: 'C23', method: 'put', kind: 'session', body: v230.session(c23, 'SES-B', token230, 'LOC-B'), at: `/ocpi/2.3.0/sessions/BE/C23/SES-B` },
  ] as const;
  const hubPath = (p: (typeof pushes)[number]) => {
    if ('path' in p) return p.path;
    const owner = p.from === 'C22' ? c22 : c23;
    const body = p.body as { id: string };
    return p.kind === 'cdr' ? '/receiver/cdrs' : `/receiver/${p.kind}s/${owner.country_code}/${owner.party_id}/${body.id}`;
  };

  it('keeps every push for the eMSP while it is down, each tried in 2.2.1', async () => {
    for (const p of pushes) {
      const party = net.parties[p.from];
      const answer = await party.ocpi.request({ method: p.method, url: hubPath(p), data: p.body });
      expect(answer.data.status_code === 1000 ? 1000 : answer.data).toBe(1000);
    }
    // Every object was tried at least once at the eMSP's 2.2.1 endpoints (and refused).
    for (const at of new Set(pushes.map((p) => p.at.replace('/ocpi/2.3.0/', '/ocpi/2.2.1/')))) {
      await waitFor(() => refused.some((r) => r.path === at), `a refused attempt at ${at}`);
    }
    expect(refused.every((r) => r.path.startsWith('/ocpi/2.2.1/'))).toBe(true);
    const pending = await net.hub.services.db.query(`SELECT count(*)::int AS n FROM outbox WHERE party_uuid = $1 AND status = 'pending'`, [net.parties.UPG.id]);
    expect(pending[0].n).toBe(pushes.length);
  });

  it('re-negotiates 2.3.0 on the credentials update (PUT on the hub’s 2.3.0 credentials endpoint)', async () => {
    const partner = net.parties.UPG.partner;
    partner.options.version = '2.3.0';
    const tokenB = partner.newToken();
    const update = await axios.put(`${net.hub.url}/ocpi/2.3.0/credentials`, partner.credentials(tokenB), {
      headers: { Authorization: partner.authorization(net.parties.UPG.token) },
      validateStatus: () => true,
    });
    expect(update.data.status_code === 1000 ? 1000 : update.data).toBe(1000);
    expect(update.data.data).toHaveProperty('hub_party_id'); // the hub answers in 2.3.0
    const party = (await net.hub.admin.get(`/admin/parties/${net.parties.UPG.id}`)).data as { version: string };
    expect(party.version).toBe('2.3.0');
  });

  it('delivers every waiting push once, in 2.3.0, in order per object, when the eMSP is back', async () => {
    const refusedBefore = refused.length;
    down = false;
    await waitFor(async () => {
      const rows = await net.hub.services.db.query(`SELECT count(*)::int AS n FROM outbox WHERE party_uuid = $1 AND status <> 'delivered'`, [net.parties.UPG.id]);
      return rows[0].n === 0;
    }, 'every delivery to UPG delivered', 20_000);
    await net.hub.services.outbox.whenIdle();

    // Nothing went to the 2.2.1 endpoints after the update, nothing was refused again.
    expect(refused.length).toBe(refusedBefore);
    expect(accepted.map((r) => `${r.method} ${r.path}`).sort()).toEqual(pushes.map((p) => `${p.method.toUpperCase()} ${p.at}`).sort());
    // Per object in the order it was pushed: LOC-A's PUT before its PATCH.
    expect(accepted.filter((r) => r.path.endsWith('/LOC-A')).map((r) => r.method)).toEqual(['PUT', 'PATCH']);

    for (const p of pushes) {
      const got = accepted.find((r) => r.method === p.method.toUpperCase() && r.path === p.at)!;
      const kind = (p.method === 'patch' ? null : p.kind) as MatrixBody | null;
      if (kind) expect(schemaProblems('2.3.0', kind, got.body)).toEqual([]);
      const sentIn = p.from === 'C22' ? '2.2.1' : '2.3.0';
      if (kind) expect(FLAVOURS['2.3.0'].facts[kind](got.body as never)).toEqual(FLAVOURS[sentIn].facts[kind](p.body as never));
    }
    const patch = accepted.find((r) => r.method === 'PATCH')!;
    expect(patch.body).toEqual({ name: 'Renamed while down', last_updated: '2026-01-02T03:04:05Z' });
    // The 2.3.0 CPO's location reaches the now-2.3.0 eMSP as it was sent, undocumented field included.
    expect(accepted.find((r) => r.path.endsWith('/LOC-B'))!.body).toEqual(pushes[4].body);
  });

  it('reports no loss for deliveries that finally went out whole, though their 2.2.1 attempts would have lost fields', async () => {
    const rows: { object_key: string; body_version: string; delivered_version: string | null; losses: unknown }[] = await net.hub.services.db.query(
      `SELECT object_key, body_version, delivered_version, losses FROM outbox WHERE party_uuid = $1 AND object_key NOT LIKE 'hubclientinfo/%' ORDER BY id`,
      [net.parties.UPG.id],
    );
    expect(rows).toHaveLength(pushes.length);
    for (const row of rows) expect(row.delivered_version ?? row.body_version).toBe('2.3.0');
    const report = (await net.hub.admin.get(`/admin/parties/${net.parties.UPG.id}/losses`)).data;
    expect(report).toEqual({ party: net.parties.UPG.id, version: '2.3.0', deliveries: [] });
  });
});
