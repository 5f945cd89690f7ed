import axios from 'axios';
import { example, startNetwork, type TestNetwork, waitFor } from '../support/network';

/**
 * The roaming story across the hub with two CPOs and two eMSPs, all real HTTP servers: locations and
 * tariffs broadcast, a token pushed and authorized in real time, a START_SESSION command and its
 * result, a session and its CDR delivered, a receiver down and caught up, a blocked pair seeing nothing.
 */
describe('roaming through the hub, end to end', () => {
  let net: TestNetwork;
  let p: TestNetwork['parties'];

  beforeAll(async () => {
    net = await startNetwork({
      cpos: ['NL/CP1', 'BE/CP2'],
      emsps: ['DE/EM1', 'FR/EM2'],
      // CP2 and EM2 have no agreement: the blocked pair.
      agreements: [['CP1', 'EM1'], ['CP1', 'EM2'], ['CP2', 'EM1']],
      hub: { env: { OUTBOX_BASE_BACKOFF_MS: '50', OUTBOX_MAX_ATTEMPTS: '30', OCPI_TIMEOUT_MS: '1000' } },
    });
    p = net.parties;
  });
  afterAll(() => net.close());

  const location = (cc: string, pid: string, id: string) => ({ ...example('location_example.json'), country_code: cc, party_id: pid, id });
  const received = (pid: string, method: string, path: string) => p[pid].partner.received(method, path);

  it('broadcasts locations and tariffs to the agreement eMSPs only', async () => {
    expect((await p.CP1.ocpi.put('/receiver/locations/NL/CP1/LOC1', location('NL', 'CP1', 'LOC1'))).data.status_code).toBe(1000);
    expect((await p.CP2.ocpi.put('/receiver/locations/BE/CP2/LOC2', location('BE', 'CP2', 'LOC2'))).data.status_code).toBe(1000);
    const tariff: Record<string, unknown> = { ...example('tariff_1_simple_2hour.json'), country_code: 'NL', party_id: 'CP1' };
    expect((await p.CP1.ocpi.put(`/receiver/tariffs/NL/CP1/${tariff.id}`, tariff)).data.status_code).toBe(1000);

    await waitFor(() => received('EM1', 'PUT', '/ocpi/2.2.1/locations/BE/CP2/LOC2')[0], 'CP2 location at EM1');
    await waitFor(() => received('EM2', 'PUT', '/ocpi/2.2.1/locations/NL/CP1/LOC1')[0], 'CP1 location at EM2');
    const tariffAtEm2 = await waitFor(() => received('EM2', 'PUT', `/ocpi/2.2.1/tariffs/NL/CP1/${tariff.id}`)[0], 'tariff at EM2');
    expect(tariffAtEm2.body).toEqual(tariff);

    // The blocked pair: EM2 neither receives nor can pull CP2's data.
    await net.hub.services.outbox.whenIdle();
    expect(received('EM2', 'PUT', '/ocpi/2.2.1/locations/BE/CP2')).toEqual([]);
    const pulled = await p.EM2.ocpi.get('/sender/locations');
    expect(pulled.data.data.map((l: { id: string }) => l.id)).toEqual(['LOC1']);
  });

  it('pushes a token to the CPOs and authorizes it in real time through the owner eMSP', async () => {
    const token = { ...example('token_example_2_full_rfid.json'), country_code: 'DE', party_id: 'EM1' } as Record<string, unknown>;
    expect((await p.EM1.ocpi.put(`/receiver/tokens/DE/EM1/${token.uid}`, token)).data.status_code).toBe(1000);
    await waitFor(() => received('CP1', 'PUT', `/ocpi/2.2.1/tokens/DE/EM1/${token.uid}`)[0], 'the token at CP1');
    await waitFor(() => received('CP2', 'PUT', `/ocpi/2.2.1/tokens/DE/EM1/${token.uid}`)[0], 'the token at CP2');

    p.EM1.partner.intercept = (req, res) => {
      if (!req.path.includes('/authorize')) return false;
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ data: { allowed: 'ALLOWED', token, authorization_reference: 'AUTH-1' }, status_code: 1000, timestamp: new Date().toISOString() }));
      return true;
    };
    const answer = await p.CP1.ocpi.post(`/sender/tokens/${token.uid}/authorize`, { location_id: 'LOC1' }, { headers: { 'X-Correlation-ID': 'story-1' } });
    expect(answer.data.data).toMatchObject({ allowed: 'ALLOWED', authorization_reference: 'AUTH-1' });
    const asked = received('EM1', 'POST', `/ocpi/2.2.1/tokens/${token.uid}/authorize`)[0];
    expect(asked.headers['x-correlation-id']).toBe('story-1');
    expect(asked.headers['ocpi-from-party-id']).toBe('CP1');
    p.EM1.partner.intercept = undefined;
  });

  it('routes START_SESSION to the CPO and its result back to the eMSP', async () => {
    p.CP1.partner.intercept = (req, res) => {
      if (req.method !== 'POST' || !req.path.endsWith('/commands/START_SESSION')) return false;
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ data: { result: 'ACCEPTED', timeout: 30 }, status_code: 1000, timestamp: new Date().toISOString() }));
      return true;
    };
    const emspResponseUrl = `${p.EM1.partner.url}/ocpi/2.2.1/commands/START_SESSION/cmd-1`;
    const command = {
      response_url: emspResponseUrl,
      token: { ...example('token_example_2_full_rfid.json'), country_code: 'DE', party_id: 'EM1' },
      location_id: 'LOC1',
      evse_uid: '3256',
    };
    const response = await p.EM1.ocpi.post('/receiver/commands/START_SESSION', command);
    expect(response.data.data).toMatchObject({ result: 'ACCEPTED', timeout: 30 });
    const atCpo = received('CP1', 'POST', '/ocpi/2.2.1/commands/START_SESSION')[0];
    const hubResponseUrl = (atCpo.body as { response_url: string }).response_url;
    expect(hubResponseUrl.startsWith(net.hub.url)).toBe(true);

    const result = await axios.post(hubResponseUrl, { result: 'ACCEPTED' }, {
      headers: { Authorization: `Token ${Buffer.from(p.CP1.token).toString('base64')}`, 'OCPI-from-country-code': 'NL', 'OCPI-from-party-id': 'CP1', 'OCPI-to-country-code': 'DE', 'OCPI-to-party-id': 'EM1' },
      validateStatus: () => true,
    });
    expect(result.data.status_code).toBe(1000);
    const delivered = await waitFor(() => received('EM1', 'POST', '/ocpi/2.2.1/commands/START_SESSION/cmd-1')[0], 'the CommandResult at EM1');
    expect(delivered.body).toEqual({ result: 'ACCEPTED' });
    p.CP1.partner.intercept = undefined;
  });

  it('delivers the session and its CDR to the token owner, and a receiver that was down catches up', async () => {
    const session = { ...example('session_example_2_short_finished.json'), country_code: 'NL', party_id: 'CP1', location_id: 'LOC1' } as Record<string, any>;
    session.cdr_token = { ...session.cdr_token, country_code: 'DE', party_id: 'EM1' };
    await p.EM1.partner.stop(); // the eMSP is down while the session runs
    expect((await p.CP1.ocpi.put(`/receiver/sessions/NL/CP1/${session.id}`, session)).data.status_code).toBe(1000);

    const cdr = { ...example('cdr_example.json'), country_code: 'NL', party_id: 'CP1' } as Record<string, any>;
    cdr.cdr_token = { ...cdr.cdr_token, country_code: 'DE', party_id: 'EM1' };
    const posted = await p.CP1.ocpi.post('/receiver/cdrs', cdr);
    expect(posted.data.status_code).toBe(1000);
    expect(posted.headers.location).toBe(`${net.hub.url}/ocpi/2.2.1/receiver/cdrs/NL/CP1/${cdr.id}`);

    await p.EM1.partner.start();
    const sessionAtEm1 = await waitFor(() => received('EM1', 'PUT', `/ocpi/2.2.1/sessions/NL/CP1/${session.id}`)[0], 'the session at EM1', 15000);
    expect(sessionAtEm1.body).toEqual(session);
    const cdrAtEm1 = await waitFor(() => received('EM1', 'POST', '/ocpi/2.2.1/cdrs')[0], 'the CDR at EM1', 15000);
    expect(cdrAtEm1.body).toEqual(cdr);
    // Private to its eMSP: EM2 got neither.
    expect(received('EM2', 'PUT', '/ocpi/2.2.1/sessions')).toEqual([]);
    expect(received('EM2', 'POST', '/ocpi/2.2.1/cdrs')).toEqual([]);
    expect((await p.EM2.ocpi.get('/sender/cdrs')).data.data).toEqual([]);
    expect((await p.EM1.ocpi.get('/sender/cdrs')).data.data).toEqual([cdr]);
  });
});
