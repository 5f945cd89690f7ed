import { example, startNetwork, type TestNetwork } from '../support/network';

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
