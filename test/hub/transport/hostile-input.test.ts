import http from 'node:http';
import net_ from 'node:net';
import { endpointUrl } from '../../../src/hub/outbound/ocpi-client';
import { example, startNetwork, type TestNetwork, waitFor } from '../../support/network';

interface RawAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: any;
}

/** A request whose path is sent exactly as written (axios and WHATWG URL would resolve `.` and `..`). */
function rawRequest(base: string, method: string, path: string, headers: Record<string, string>, body?: unknown): Promise<RawAnswer> {
  const { hostname, port } = new URL(base);
  const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = http.request({ hostname, port, method, path, headers: { ...headers, ...(data ? { 'Content-Type': 'application/json', 'Content-Length': String(data.length) } : {}) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown = text;
        try {
          parsed = JSON.parse(text);
        } catch {
          // not JSON: kept as text for the assertion to show
        }
        resolve({ status: res.statusCode!, headers: res.headers, body: parsed });
      });
    });
    req.on('error', reject);
    req.end(data);
  });
}

/**
 * What hostile partners sent that got through (issue 20): each refusal is made once in the transport
 * or the schemas, named by field, and stores nothing. A small network: one CPO and one eMSP with an agreement.
 */
describe('hostile input the transport refuses', () => {
  let net: TestNetwork;
  const location = (fields: Record<string, unknown> = {}) => ({ ...example('location_example.json'), country_code: 'NL', party_id: 'CP1', ...fields });

  beforeAll(async () => {
    net = await startNetwork({ cpos: ['NL/CP1'], emsps: ['NL/EM1'], agreements: [['CP1', 'EM1']] });
  });
  afterAll(() => net.close());
  const as = (party: string, extra: Record<string, string> = {}) => ({
    Authorization: `Token ${Buffer.from(net.parties[party].token).toString('base64')}`,
    'OCPI-from-country-code': net.parties[party].countryCode,
    'OCPI-from-party-id': net.parties[party].partyId,
    ...extra,
  });

  describe('ids that would change the path they are put in', () => {
    it.each([
      ['location', 'CP1', '/ocpi/2.2.1/receiver/locations/NL/CP1/..', () => location({ id: '..' }), /location_id/],
      ['location %2E%2E', 'CP1', '/ocpi/2.2.1/receiver/locations/NL/CP1/%2E%2E', () => location({ id: '..' }), /location_id/],
      ['evse', 'CP1', '/ocpi/2.2.1/receiver/locations/NL/CP1/LOC1/.', () => ({ ...(example('location_example.json').evses as object[])[0], uid: '.' }), /evse_uid/],
      ['token', 'EM1', '/ocpi/2.2.1/receiver/tokens/NL/EM1/.', () => ({ ...example('token_example_2_full_rfid.json'), country_code: 'NL', party_id: 'EM1', uid: '.' }), /token_uid/],
      ['session', 'CP1', '/ocpi/2.2.1/receiver/sessions/NL/CP1/..', () => ({ ...example('session_example_1_simple_start.json'), country_code: 'NL', party_id: 'CP1', id: '..' }), /session_id/],
      ['tariff', 'CP1', '/ocpi/2.2.1/receiver/tariffs/NL/CP1/.', () => ({ ...example('tariff_1_simple_2hour.json'), country_code: 'NL', party_id: 'CP1', id: '.' }), /tariff_id/],
    ])('a %s id "." or "..": 2001, nothing stored or delivered', async (_, party, path, body, message) => {
      const sent = await rawRequest(net.hub.url, 'PUT', path, as(party), body());
      expect(`${sent.status}/${sent.body.status_code}`).toBe('200/2001');
      expect(sent.body.status_message).toMatch(message);
      expect(sent.body.status_message).toMatch(/"\."/);
    });

    it('refuses "." and ".." as ids inside bodies too (a CDR has no id in its URL)', async () => {
      const cdr = { ...example('cdr_example.json'), country_code: 'NL', party_id: 'CP1', id: '..' };
      const sent = await net.parties.CP1.ocpi.post('/receiver/cdrs', cdr);
      expect(sent.data.status_code).toBe(2001);
      expect(sent.data.status_message).toMatch(/^Invalid CDR: id:/);
      await net.hub.services.outbox.whenIdle();
      const delivered = [...net.parties.EM1.partner.requests, ...net.parties.CP1.partner.requests].map((r) => r.path);
      expect(delivered.filter((p) => /\/(\.|\.\.)?(\?|$)/.test(p) || p.endsWith('/NL/CP1/') || p.includes('/NL/EM1/?'))).toEqual([]);
    });

    it('keeps other printable ids, encoded per segment on the way out, and builds no URL a segment could escape', async () => {
      const id = 'A/B?C#D%E';
      const sent = await net.parties.CP1.ocpi.put(`/receiver/locations/NL/CP1/${encodeURIComponent(id)}`, location({ id }));
      expect(sent.data.status_code).toBe(1000);
      const expected = `/ocpi/2.2.1/locations/NL/CP1/${encodeURIComponent(id)}`;
      await waitFor(() => net.parties.EM1.partner.requests.find((r) => r.path === expected), 'the location at EM1');
      expect(endpointUrl('http://partner/ocpi/2.2.1/locations/', '/NL/CP1/A%2FB')).toBe('http://partner/ocpi/2.2.1/locations/NL/CP1/A%2FB');
      for (const path of ['/NL/CP1/..', '/NL/CP1/.', '/NL/CP1/%2e%2E/x', '/./x']) expect(() => endpointUrl('http://partner/ocpi/2.2.1/locations', path)).toThrow(/segment/);
    });
  });

  describe('a chunked body over the size limit', () => {
    /** Writes `requests` on one socket and collects what comes back until the hub closes it or `ms` pass. */
    function onOneSocket(requests: (Buffer | string)[], ms: number): Promise<{ text: string; closed: boolean; error?: string }> {
      const { hostname, port } = new URL(net.hub.url);
      return new Promise((resolve) => {
        const socket = net_.connect(Number(port), hostname);
        let text = '';
        let closed = false;
        let error: string | undefined;
        const timer = setTimeout(() => finish(), ms);
        const finish = () => {
          clearTimeout(timer);
          socket.destroy();
          resolve({ text, closed, error });
        };
        socket.on('data', (d) => {
          text += d.toString('latin1');
          // Both answers in: no need to wait for the timer.
          if ((text.match(/HTTP\/1\.1 /g) ?? []).length >= 2 && /\r\n\r\n[\s\S]*\{[\s\S]*\}\s*$/.test(text.slice(text.lastIndexOf('HTTP/1.1 ')))) finish();
        });
        socket.on('end', () => {
          closed = true;
          finish();
        });
        socket.on('error', (e) => {
          error = (e as NodeJS.ErrnoException).code;
          finish();
        });
        socket.on('connect', () => {
          for (const r of requests) socket.write(r);
        });
      });
    }

    it('answers 413, and then the next request on the same socket', async () => {
      const auth = as('CP1');
      const head = (lines: string[]) => `${lines.join('\r\n')}\r\n\r\n`;
      const chunk = Buffer.alloc(64 * 1024, 'a');
      const chunked: Buffer[] = [Buffer.from(head(['POST /ocpi/2.2.1/receiver/cdrs HTTP/1.1', 'Host: hub', `Authorization: ${auth.Authorization}`, 'Content-Type: application/json', 'Transfer-Encoding: chunked']))];
      // 1.3 MB in 64 KiB chunks: over MAX_BODY_BYTES (1,000,000).
      for (let i = 0; i < 20; i++) chunked.push(Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]));
      chunked.push(Buffer.from('0\r\n\r\n'));
      const second = head(['GET /ocpi/versions HTTP/1.1', 'Host: hub', `Authorization: ${auth.Authorization}`]);
      const started = Date.now();
      const { text, error } = await onOneSocket([...chunked, second], 5000);
      const answers = text.match(/HTTP\/1\.1 \d{3}/g) ?? [];
      expect(error).toBeUndefined();
      expect(answers).toEqual(['HTTP/1.1 413', 'HTTP/1.1 200']);
      expect(Date.now() - started).toBeLessThan(3000);
    });

    it('closes the connection of a client that goes on sending far beyond the limit, after the 413', async () => {
      const auth = as('CP1');
      const chunk = Buffer.alloc(256 * 1024, 'a');
      const chunked: Buffer[] = [Buffer.from(`POST /ocpi/2.2.1/receiver/cdrs HTTP/1.1\r\nHost: hub\r\nAuthorization: ${auth.Authorization}\r\nTransfer-Encoding: chunked\r\n\r\n`)];
      // 6 MB and no last chunk: more than the 4 × MAX_BODY_BYTES the hub reads away.
      for (let i = 0; i < 24; i++) chunked.push(Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]));
      const { text, closed, error } = await onOneSocket(chunked, 5000);
      expect(text).toMatch(/^HTTP\/1\.1 413/);
      expect(closed || error === 'ECONNRESET' || error === 'EPIPE').toBe(true);
    });
  });

  describe('methods the hub implements nowhere', () => {
    it.each(['TRACE', 'PROPFIND', 'MKCOL', 'LOCK'])('%s gets 501 in the OCPI envelope and the admin error shape', async (method) => {
      for (const path of ['/ocpi/2.2.1/receiver/locations/NL/CP1/LOC1', '/ocpi/nowhere', '/ocpi/versions']) {
        const ocpi = await rawRequest(net.hub.url, method, path, as('CP1'));
        expect(ocpi.status).toBe(501);
        expect(ocpi.headers['content-type']).toMatch(/application\/json/);
        expect(ocpi.body).toMatchObject({ status_code: 2000, status_message: expect.stringContaining(method), timestamp: expect.any(String) });
      }
      const admin = await rawRequest(net.hub.url, method, '/admin/parties', { Authorization: `Bearer ${net.hub.adminKey}` });
      expect(admin.status).toBe(501);
      expect(admin.body).toEqual({ error: { code: 'not_implemented', message: expect.stringContaining(method) } });
    });
  });

  describe('values the 2.2.1 spec does not allow', () => {
    it.each([
      ['TAB', '\t'],
      ['LF', '\n'],
      ['CR', '\r'],
      ['BEL', '\u0007'],
      ['DEL', '\u007f'],
      ['NEL (U+0085)', '\u0085'],
      ['U+009F', '\u009f'],
      ['the non-character U+FFFE', '\ufffe'],
    ])('%s in a string field: 2001 naming it, nothing stored', async (name, char) => {
      const id = `CTL-${name.length}-${char.charCodeAt(0)}`;
      const sent = await net.parties.CP1.ocpi.put(`/receiver/locations/NL/CP1/${id}`, location({ id, directions: [{ language: 'en', text: `left${char}right` }] }));
      expect(`${sent.status}/${sent.data.status_code}`).toBe('200/2001');
      expect(sent.data.status_message).toMatch(/directions\.0\.text.*printable/);
      expect((await net.parties.CP1.ocpi.get(`/receiver/locations/NL/CP1/${id}`)).status).toBe(404);
    });

    it.each([
      ['parking_type', { parking_type: 'ON_THE_MOON' }, /parking_type/],
      ['connector standard', { evses: [{ ...(example('location_example.json').evses as object[])[0], connectors: [{ ...((example('location_example.json').evses as { connectors: object[] }[])[0].connectors[0]), standard: 'IEC_62196_T9' }] }] }, /evses\.0\.connectors\.0\.standard/],
      ['capability', { evses: [{ ...(example('location_example.json').evses as object[])[0], capabilities: ['RESERVABLE', 'FLYING'] }] }, /evses\.0\.capabilities\.1/],
      ['facility', { facilities: ['CAFE', 'SPACEPORT'] }, /facilities\.1/],
      ['parking restriction', { evses: [{ ...(example('location_example.json').evses as object[])[0], parking_restrictions: ['VIP'] }] }, /evses\.0\.parking_restrictions\.0/],
    ])('an enum value outside the spec (%s): 2001 naming the field, nothing stored', async (_, fields, message) => {
      const id = `ENUM-${Object.keys(fields)[0]}-${String(message).length}`;
      const sent = await net.parties.CP1.ocpi.put(`/receiver/locations/NL/CP1/${id}`, location({ id, ...fields }));
      expect(`${sent.status}/${sent.data.status_code}`).toBe('200/2001');
      expect(sent.data.status_message).toMatch(message);
      expect((await net.parties.CP1.ocpi.get(`/receiver/locations/NL/CP1/${id}`)).status).toBe(404);
    });

    it("refuses a CDR whose location's connector_standard is not a ConnectorType, and takes the spec's examples", async () => {
      const cdr = example<Record<string, any>>('cdr_example.json');
      const bad = await net.parties.CP1.ocpi.post('/receiver/cdrs', { ...cdr, country_code: 'NL', party_id: 'CP1', id: 'CDR-PLUG', cdr_location: { ...cdr.cdr_location, connector_standard: 'PLUG' } });
      expect(bad.data.status_code).toBe(2001);
      expect(bad.data.status_message).toMatch(/cdr_location\.connector_standard/);
      const good = await net.parties.CP1.ocpi.put('/receiver/locations/NL/CP1/SPEC-EXAMPLE', location({ id: 'SPEC-EXAMPLE' }));
      expect(good.data.status_code).toBe(1000);
    });
  });

  describe('routing headers naming another party than the token', () => {
    const spoof = (cc: string, pid: string) => ({ headers: { 'OCPI-from-country-code': cc, 'OCPI-from-party-id': pid } });

    it('refuses pushes whose OCPI-from-* is not one of the token\'s roles: 404/2000, nothing stored or delivered', async () => {
      const pushes = [
        await net.parties.CP1.ocpi.put('/receiver/locations/NL/CP1/SPOOF1', location({ id: 'SPOOF1' }), spoof('NL', 'EM1')),
        await net.parties.CP1.ocpi.put('/receiver/locations/NL/CP1/SPOOF2', location({ id: 'SPOOF2' }), spoof('DE', 'XXX')),
        await net.parties.CP1.ocpi.post('/receiver/cdrs', { ...example<Record<string, unknown>>('cdr_example.json'), country_code: 'NL', party_id: 'CP1', id: 'CDR-SPOOF' }, spoof('NL', 'EM1')),
        await net.parties.EM1.ocpi.put('/receiver/tokens/NL/EM1/TOK-SPOOF', { ...example<Record<string, unknown>>('token_example_2_full_rfid.json'), country_code: 'NL', party_id: 'EM1', uid: 'TOK-SPOOF' }, spoof('NL', 'CP1')),
      ];
      expect(pushes.map((r) => `${r.status}/${r.data.status_code}`)).toEqual(['404/2000', '404/2000', '404/2000', '404/2000']);
      expect(pushes[0].data.status_message).toMatch(/OCPI-from NL\/EM1 is not one of your roles/);
      expect((await net.parties.CP1.ocpi.get('/receiver/locations/NL/CP1/SPOOF1')).status).toBe(404);
      expect((await net.parties.EM1.ocpi.get('/receiver/tokens/NL/EM1/TOK-SPOOF')).status).toBe(404);
      // Its own address, in either case, is fine; once it is delivered, nothing of the refused pushes was.
      expect((await net.parties.CP1.ocpi.put('/receiver/locations/NL/CP1/SPOOF3', location({ id: 'SPOOF3' }), spoof('nl', 'cp1'))).data.status_code).toBe(1000);
      await waitFor(() => net.parties.EM1.partner.requests.find((r) => r.path.endsWith('/SPOOF3')), 'SPOOF3 at EM1');
      const delivered = [...net.parties.EM1.partner.requests, ...net.parties.CP1.partner.requests].map((r) => `${r.method} ${r.path} ${JSON.stringify(r.body)}`);
      expect(delivered.filter((r) => /SPOOF[12]|CDR-SPOOF|TOK-SPOOF/.test(r))).toEqual([]);
    });
  });

  describe('text the database cannot store (NUL, lone surrogates)', () => {
    it.each([
      ['NUL in a name', { id: 'NUL1', name: 'Gent\u0000Zuid' }, /^Invalid JSON text at name holds/],
      ['a lone high surrogate deep inside', { id: 'SUR1', directions: [{ language: 'en', text: 'left \ud800' }] }, /directions\.0\.text/],
      ['a lone low surrogate', { id: 'SUR2', address: '\udc00 street' }, /address/],
      ['NUL in a key', { id: 'KEY1', ['x\u0000']: 1 }, /x\\u0000/],
    ])('%s: 2001 naming the field, nothing stored', async (_, fields, message) => {
      const id = fields.id as string;
      const sent = await net.parties.CP1.ocpi.put(`/receiver/locations/NL/CP1/${id}`, location(fields));
      expect(`${sent.status}/${sent.data.status_code}`).toBe('200/2001');
      expect(sent.data.status_message).toMatch(message);
      expect((await net.parties.CP1.ocpi.get(`/receiver/locations/NL/CP1/${id}`)).status).toBe(404);
    });

    it('keeps well-formed surrogate pairs (emoji) and answers the admin API with its own error shape', async () => {
      const sent = await net.parties.CP1.ocpi.put('/receiver/locations/NL/CP1/EMOJI1', location({ id: 'EMOJI1', name: 'Laden \ud83d\udd0c' }));
      expect(sent.data.status_code).toBe(1000);
      const admin = await net.hub.admin.post('/admin/parties', { country_code: 'NL', party_id: 'NUL', roles: ['EMSP'], name: 'a\u0000b' });
      expect(admin.status).toBe(400);
      expect(admin.data.error).toMatchObject({ code: 'invalid', message: expect.stringMatching(/name/) });
      expect((await net.hub.admin.get('/admin/parties')).data.map((p: { party_id: string }) => p.party_id)).not.toContain('NUL');
    });
  });
});
