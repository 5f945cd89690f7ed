import { request } from 'node:http';
import { connectChargePoint, closed } from '../support/charge-point';
import { startTestHub, type TestHub } from '../support/test-hub';

/** Sends a chunked body (no Content-Length) of `bytes` bytes, so the limit must be enforced while reading. */
function postChunked(url: string, headers: Record<string, string>, bytes: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent: false, headers: { ...headers, 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' } }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    const chunk = 'x'.repeat(1024);
    req.write('{"padding":"');
    let sent = 0;
    const pump = () => {
      while (sent < bytes) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      req.end('"}');
    };
    pump();
  });
}

describe('request size limits', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub({ env: { MAX_BODY_BYTES: '20000' } });
  });
  afterAll(() => hub.close());

  it('refuses an OCPI body past MAX_BODY_BYTES while reading it, even without Content-Length (413)', async () => {
    const created = await hub.admin.post('/admin/parties', { country_code: 'NL', party_id: 'BIG', roles: ['EMSP'], name: 'big' });
    const response = await postChunked(`${hub.url}/ocpi/2.2.1/credentials`, { Authorization: `Token ${created.data.token_a}` }, 200_000).catch(
      (error: NodeJS.ErrnoException) => ({ status: -1, body: error.code ?? '' }),
    );
    // Either the 413 arrives, or the hub closes the socket before the client finished sending.
    if (response.status !== -1) {
      expect(response.status).toBe(413);
      expect(JSON.parse(response.body)).toMatchObject({ status_code: 2000, status_message: 'Request body larger than 20000 bytes' });
    } else {
      expect(response.body).toMatch(/ECONNRESET|EPIPE/);
    }
    expect((await hub.admin.get(`/admin/parties/${created.data.id}`)).data.status).toBe('PLANNED');
  });

  it('refuses an admin body past MAX_BODY_BYTES without Content-Length (413)', async () => {
    const before = (await hub.admin.get('/admin/parties')).data;
    const response = await postChunked(`${hub.url}/admin/parties`, { Authorization: `Bearer ${hub.adminKey}` }, 200_000).catch(
      (error: NodeJS.ErrnoException) => ({ status: -1, body: error.code ?? '' }),
    );
    if (response.status !== -1) {
      expect(response.status).toBe(413);
      expect(JSON.parse(response.body)).toEqual({ error: { code: 'too_large', message: 'Request body larger than 20000 bytes' } });
    } else {
      expect(response.body).toMatch(/ECONNRESET|EPIPE/);
    }
    expect((await hub.admin.get('/admin/parties')).data).toEqual(before);
  });

  it('closes an OCPP connection that sends a frame over 4 MiB (1009, message too big)', async () => {
    const added = await hub.admin.post('/admin/chargers', { id: 'HUGE1' });
    const client = await connectChargePoint(hub, { id: 'HUGE1', password: added.data.password, protocol: 'ocpp1.6', strict: false });
    const closing = closed(client);
    client.sendRaw(JSON.stringify([2, '1', 'DataTransfer', { vendorId: 'V', data: 'x'.repeat(4 * 1024 * 1024 + 1) }]));
    expect((await closing).code).toBe(1009);
  });
});
