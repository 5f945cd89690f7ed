import axios from 'axios';
import { attemptOutcome, COMMAND_SESSION_WINDOW_MS, evseTotals } from '../../../src/core/reliability/reliability-core';
import { ReliabilityFacts } from '../../../src/hub/reliability/reliability-facts';
import { example, startNetwork, type TestNetwork, waitFor } from '../../support/network';

/**
 * Forwarded START_SESSION commands as reliability attempts, end to end: a real eMSP asks a real CPO
 * (HTTP servers) through the hub; the CPO answers, posts results and pushes a session; the adapter
 * reads the record the hub kept beside the forwarding.
 */
describe('forwarded START_SESSION commands as charging attempts of partner EVSEs', () => {
  let net: TestNetwork;
  let p: TestNetwork['parties'];

  beforeAll(async () => {
    net = await startNetwork({ cpos: ['NL/CPR'], emsps: ['DE/EMR'], agreements: 'all' });
    p = net.parties;
    const location = (id: string, evses: unknown[]) => ({ ...example<Record<string, unknown>>('location_example.json'), country_code: 'NL', party_id: 'CPR', id, evses });
    const evses = example<{ evses: Record<string, unknown>[] }>('location_example.json').evses;
    expect((await p.CPR.ocpi.put('/receiver/locations/NL/CPR/LOCR', location('LOCR', evses))).data.status_code).toBe(1000); // two EVSEs
    expect((await p.CPR.ocpi.put('/receiver/locations/NL/CPR/LOCS', location('LOCS', [evses[0]]))).data.status_code).toBe(1000); // one EVSE
    // The CPO refuses the token REJ, accepts every other start.
    p.CPR.partner.intercept = (req, res) => {
      if (req.method !== 'POST' || !req.path.endsWith('/commands/START_SESSION')) return false;
      const refused = (req.body as { token: { uid: string } }).token.uid === 'REJ';
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ data: refused ? { result: 'REJECTED', timeout: 30 } : { result: 'ACCEPTED', timeout: 30 }, status_code: 1000, timestamp: new Date().toISOString() }));
      return true;
    };
  });
  afterAll(async () => net?.close());

  const db = () => net.hub.services.db;
  const startSession = async (uid: string, location: string, evse?: string) => {
    const token = { ...example<Record<string, unknown>>('token_example_2_full_rfid.json'), country_code: 'DE', party_id: 'EMR', uid };
    const body = { response_url: `${p.EMR.partner.url}/ocpi/2.2.1/commands/START_SESSION/${uid}`, token, location_id: location, ...(evse && { evse_uid: evse }) };
    const answer = await p.EMR.ocpi.post('/receiver/commands/START_SESSION', body);
    expect(answer.data.status_code).toBe(1000);
    return answer.data.data.result as string;
  };
  const hubUrlOf = (uid: string) =>
    (p.CPR.partner.received('POST', '/ocpi/2.2.1/commands/START_SESSION').find((r) => (r.body as { token: { uid: string } }).token.uid === uid)!.body as { response_url: string }).response_url;
  const postResult = (uid: string, result: string) =>
    axios.post(hubUrlOf(uid), { result }, {
      headers: { Authorization: `Token ${Buffer.from(p.CPR.token).toString('base64')}`, 'OCPI-from-country-code': 'NL', 'OCPI-from-party-id': 'CPR', 'OCPI-to-country-code': 'DE', 'OCPI-to-party-id': 'EMR' },
      validateStatus: () => true,
    });

  it('keeps every forwarded START_SESSION with the CPO\'s answer and result, and reads them as the rules say', async () => {
    const started = Date.now() - 1000;
    expect(await startSession('OK', 'LOCR', '3256')).toBe('ACCEPTED');
    expect((await postResult('OK', 'ACCEPTED')).data.status_code).toBe(1000);
    // The CPO's session of that token at that EVSE follows: the session is the attempt.
    const session = {
      ...example<Record<string, unknown>>('session_example_2_short_finished.json'),
      country_code: 'NL', party_id: 'CPR', id: 'SR1', location_id: 'LOCR', evse_uid: '3256', kwh: 12,
      start_date_time: new Date(Date.now() + 30_000).toISOString(), end_date_time: new Date(Date.now() + 3_600_000).toISOString(), last_updated: new Date().toISOString(),
      cdr_token: { country_code: 'DE', party_id: 'EMR', uid: 'OK', type: 'RFID', contract_id: 'DE-EMR-C1' },
    };
    expect((await p.CPR.ocpi.put('/receiver/sessions/NL/CPR/SR1', session)).data.status_code).toBe(1000);
    expect(await startSession('REJ', 'LOCR', '3256')).toBe('REJECTED'); // refused: a failed attempt at once
    expect(await startSession('LATE', 'LOCR', '3256')).toBe('ACCEPTED'); // accepted, the charger then fails
    expect((await postResult('LATE', 'FAILED')).data.status_code).toBe(1000);
    expect(await startSession('NOEVSE', 'LOCS')).toBe('ACCEPTED'); // no EVSE named, but LOCS has one: counted there
    expect(await startSession('ANY', 'LOCR')).toBe('ACCEPTED'); // no EVSE named at a location of two: not counted
    for (const uid of ['NOEVSE', 'ANY']) expect((await postResult(uid, 'ACCEPTED')).data.status_code).toBe(1000); // and no session follows
    expect(await startSession('SLOW', 'LOCR', '3257')).toBe('ACCEPTED'); // no result comes: TIMEOUT from the hub
    expect(await net.hub.services.commands.sweepTimeouts(new Date(Date.now() + 60_000))).toBeGreaterThanOrEqual(1);
    await waitFor(() => p.EMR.partner.received('POST', '/ocpi/2.2.1/commands/START_SESSION/SLOW')[0], 'the TIMEOUT at the eMSP');

    const rows: { token_uid: string; evse_uid: string | null; response_result: string | null; result: string | null; result_at: Date | null; emsp_party_id: string; cpo_party_id: string }[] =
      await db().query(`SELECT token_uid, evse_uid, response_result, result, result_at, emsp_party_id, cpo_party_id FROM forwarded_start_sessions ORDER BY requested_at`);
    expect(rows.map((r) => [r.token_uid, r.evse_uid, r.response_result, r.result])).toEqual([
      ['OK', '3256', 'ACCEPTED', 'ACCEPTED'],
      ['REJ', '3256', 'REJECTED', null],
      ['LATE', '3256', 'ACCEPTED', 'FAILED'],
      ['NOEVSE', null, 'ACCEPTED', 'ACCEPTED'],
      ['ANY', null, 'ACCEPTED', 'ACCEPTED'],
      ['SLOW', '3257', 'ACCEPTED', 'TIMEOUT'],
    ]);
    expect(rows[0]).toMatchObject({ emsp_party_id: 'EMR', cpo_party_id: 'CPR', result_at: expect.any(Date) });

    const read = async (evse: string, nowMs: number, to = Date.now() + 60_000) => {
      const facts = new ReliabilityFacts({ db: db(), ownCpo: net.hub.services.ownCpo, now: () => new Date(nowMs) });
      const [ref] = await facts.evses({ evse });
      const period = { from: started, to };
      const [h] = await facts.histories([ref], period);
      return { attempts: h.attempts.map((a) => [a.origin, attemptOutcome(a)]), totals: evseTotals(h, period).sessions };
    };
    // Within the window: the accepted commands with no session yet are pending.
    expect((await read('NL/CPR/LOCS/3256', Date.now())).attempts).toEqual([['ocpi_command', 'pending']]);
    const after = Date.now() + COMMAND_SESSION_WINDOW_MS + 60_000;
    const locr = await read('NL/CPR/LOCR/3256', after);
    expect(locr.attempts).toEqual([
      ['ocpi_command', 'not_started'], // REJ
      ['ocpi_command', 'not_started'], // LATE (FAILED)
      ['ocpi_session', 'success'], // OK and its session: one attempt
    ]);
    expect(locr.totals).toMatchObject({ attempts: 3, successes: 1, notStarted: 2 });
    // A period that ends between OK's request and its session: the session after the period is still the command's.
    const [ok] = await db().query(`SELECT requested_at FROM forwarded_start_sessions WHERE token_uid = 'OK'`);
    expect((await read('NL/CPR/LOCR/3256', after, ok.requested_at.getTime() + 1)).attempts).toEqual([]);
    expect((await read('NL/CPR/LOCS/3256', after)).attempts).toEqual([['ocpi_command', 'not_started']]);
    expect((await read('NL/CPR/LOCR/3257', after)).attempts).toEqual([['ocpi_command', 'not_started']]); // SLOW timed out
  });

  it('keeps a refused or unreachable forward too (its forwarded_requests row is gone, the attempt is not)', async () => {
    // Six forwarded, REJ's request row discarded when the CPO refused it.
    expect((await db().query(`SELECT count(*)::int AS n FROM forwarded_requests WHERE name = 'START_SESSION'`))[0].n).toBe(5);
    p.CPR.partner.intercept = undefined;
    await p.CPR.partner.stop();
    const answer = await p.EMR.ocpi.post('/receiver/commands/START_SESSION', {
      response_url: `${p.EMR.partner.url}/ocpi/2.2.1/commands/START_SESSION/DOWN`,
      token: { ...example<Record<string, unknown>>('token_example_2_full_rfid.json'), country_code: 'DE', party_id: 'EMR', uid: 'DOWN' },
      location_id: 'LOCR',
      evse_uid: '3256',
    });
    expect(answer.data.status_code).not.toBe(1000);
    expect(await db().query(`SELECT response_result, result FROM forwarded_start_sessions WHERE token_uid = 'DOWN'`)).toEqual([{ response_result: null, result: null }]);
  });
});
