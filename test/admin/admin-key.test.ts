import crypto from 'node:crypto';
import axios from 'axios';
import { startTestHub, type TestHub } from '../support/test-hub';

describe('the admin API key', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub();
  });
  afterAll(() => hub.close());
  afterEach(() => jest.restoreAllMocks());

  const asKey = (key: string) => axios.get(`${hub.url}/admin/parties`, { headers: { Authorization: `Bearer ${key}` }, validateStatus: () => true });

  it('opens the admin API only with the exact key', async () => {
    expect((await asKey(hub.adminKey)).status).toBe(200);
    const wrong = [hub.adminKey.slice(0, -1), `${hub.adminKey}x`, hub.adminKey.toUpperCase() === hub.adminKey ? 'x' : hub.adminKey.toUpperCase(), 'a', 'x'.repeat(10_000)];
    for (const key of wrong) {
      const response = await asKey(key);
      expect(response.status).toBe(401);
      expect(response.data).toEqual({ error: { code: 'unauthorized', message: 'Missing or wrong admin API key (Authorization: Bearer <key>)' } });
    }
    expect((await axios.get(`${hub.url}/admin/parties`, { validateStatus: () => true })).status).toBe(401);
  });

  it('compares in constant time: every candidate, whatever its length, goes through timingSafeEqual as a 32-byte digest', async () => {
    const compare = jest.spyOn(crypto, 'timingSafeEqual');
    const candidates = [hub.adminKey, 'short', hub.adminKey.slice(0, 8), 'y'.repeat(5000)];
    for (const key of candidates) await asKey(key);
    expect(compare).toHaveBeenCalledTimes(candidates.length);
    for (const [a, b] of compare.mock.calls as [Buffer, Buffer][]) {
      expect([a.length, b.length]).toEqual([32, 32]);
    }
  });

  it('never logs the key, right or wrong', () => {
    const joined = hub.logLines.join('\n');
    expect(joined).toContain('"msg":"request"');
    expect(joined).not.toContain(hub.adminKey);
  });
});
