import { REDACTED, keepsBodies, redactAuthorization, redactBody, storedBody, trafficFailed, trafficObjectId } from '../../../src/core/traffic/traffic-redaction';
import { signAlert, verifyAlert } from '../../../src/core/traffic/alert-signature';

describe('what the traffic recorder keeps', () => {
  it('keeps only the scheme of an Authorization header', () => {
    expect(redactAuthorization('Token ZWJmM2IzOTktNzc5Zi00NDk3LTliOWQtYWM2YWQzY2M0NGQy')).toBe(`Token ${REDACTED}`);
    expect(redactAuthorization('Bearer abc')).toBe(`Bearer ${REDACTED}`);
    expect(redactAuthorization('justavalue')).toBe(REDACTED);
    expect(redactAuthorization('')).toBe(REDACTED);
  });

  it('replaces every token, secret and password field of a credentials body, at any depth, without changing the input', () => {
    const credentials = {
      token: 'ebf3b399-779f-4497-9b9d-ac6ad3cc44d2',
      url: 'https://partner.example/ocpi/versions',
      roles: [{ role: 'CPO', party_id: 'CPO', country_code: 'NL', business_details: { name: 'x', client_secret: 's3', Password: 'p' } }],
      nested: { refresh_token: 'r', api_key: 'k' },
    };
    const copy = structuredClone(credentials);
    const redacted = redactBody({ status_code: 1000, data: credentials }, 'credentials') as any;
    expect(redacted.data.token).toBe(REDACTED);
    expect(redacted.data.url).toBe(credentials.url);
    expect(redacted.data.roles[0].business_details).toEqual({ name: 'x', client_secret: REDACTED, Password: REDACTED });
    expect(redacted.data.nested).toEqual({ refresh_token: REDACTED, api_key: REDACTED });
    expect(JSON.stringify(redacted)).not.toMatch(/ebf3b399|s3"|"p"|"r"|"k"/);
    expect(credentials).toEqual(copy);
  });

  it('keeps OCPI Token objects and ids elsewhere (they are data, not secrets) but not secrets or passwords', () => {
    const cdr = { cdr_token: { uid: '012345678', type: 'RFID' }, authorization_reference: 'AUTH1', extra: { password: 'x' } };
    expect(redactBody(cdr, 'cdrs')).toEqual({ cdr_token: { uid: '012345678', type: 'RFID' }, authorization_reference: 'AUTH1', extra: { password: REDACTED } });
    const start = { token: { uid: 'U1' }, response_url: 'https://e/x' };
    expect(redactBody(start, 'commands')).toEqual(start);
  });

  it('stores bodies as JSON text cut at the cap on a character boundary, saying the full size', () => {
    expect(storedBody(undefined, 'locations', 100)).toBeNull();
    expect(storedBody({ a: 1 }, 'locations', 100)).toBe('{"a":1}');
    const big = { text: 'é'.repeat(200) }; // 2 bytes a character
    const stored = storedBody(big, 'locations', 101)!;
    const full = Buffer.byteLength(JSON.stringify(big));
    expect(stored.endsWith(`… [cut: ${full} bytes]`)).toBe(true);
    expect(stored).not.toContain('\uFFFD');
    expect(Buffer.byteLength(stored.split('…')[0])).toBeLessThanOrEqual(101);
    expect(storedBody({ token: 'secret-value' }, 'credentials', 1000)).toBe(`{"token":"${REDACTED}"}`);
    // What PostgreSQL cannot store (a partner's answer may hold it) is replaced, so the batch is not lost.
    expect(storedBody('nul\u0000 and \ud800 alone', 'locations', 1000)).toBe('nul\uFFFD and \uFFFD alone');
    expect(trafficObjectId('/ocpi/2.2.1/locations/NL/CPO/%00', 'locations')).toBe('NL/CPO/\uFFFD');
  });

  it('keeps bodies by mode: off never, errors only for failed requests, all always', () => {
    expect([keepsBodies('off', true), keepsBodies('errors', false), keepsBodies('errors', true), keepsBodies('all', false)]).toEqual([false, false, true, true]);
  });

  it('names the object below the module segment', () => {
    expect(trafficObjectId('/ocpi/2.2.1/receiver/locations/NL/CPO/LOC1/EVSE1', 'locations')).toBe('NL/CPO/LOC1/EVSE1');
    expect(trafficObjectId('/ocpi/2.2.1/sender/cdrs', 'cdrs')).toBeNull();
    expect(trafficObjectId('/ocpi/2.2.1/clientinfo/NL/EMS', 'hubclientinfo')).toBe('NL/EMS');
    expect(trafficObjectId('/ocpi/2.2.1/tokens/NL/EMS/TOK%201', 'tokens')).toBe('NL/EMS/TOK 1');
    expect(trafficObjectId('/ocpi/versions', 'versions')).toBeNull();
  });

  it('counts as failed: no answer, an HTTP error, an OCPI status other than 1xxx', () => {
    expect(trafficFailed({ httpStatus: 200, ocpiStatus: 1000 })).toBe(false);
    expect(trafficFailed({ httpStatus: 200, ocpiStatus: 2001 })).toBe(true);
    expect(trafficFailed({ httpStatus: 404, ocpiStatus: null })).toBe(true);
    expect(trafficFailed({ httpStatus: 200, ocpiStatus: null })).toBe(false);
    expect(trafficFailed({ error: new Error('ECONNREFUSED') })).toBe(true);
    expect(trafficFailed({})).toBe(true);
  });
});

describe('the alert webhook signature', () => {
  const secret = 'a-webhook-secret-of-the-operator';
  const body = JSON.stringify({ type: 'partner_health', partner: 'NL/CPO', status: 'DOWN' });
  const now = 1_780_000_000;

  it('is HMAC-SHA256 over timestamp.body, as a receiver computes it', () => {
    const { createHmac } = jest.requireActual<typeof import('node:crypto')>('node:crypto');
    expect(signAlert(secret, now, body)).toBe(`sha256=${createHmac('sha256', secret).update(`${now}.${body}`).digest('hex')}`);
  });

  it('verifies a fresh post and refuses a changed body, another secret, a changed or stale timestamp', () => {
    const signature = signAlert(secret, now, body);
    expect(verifyAlert(secret, { signature, timestamp: String(now) }, body, now + 10)).toBe(true);
    expect(verifyAlert(secret, { signature, timestamp: String(now) }, body.replace('DOWN', 'OK'), now)).toBe(false);
    expect(verifyAlert('another-secret-of-16+', { signature, timestamp: String(now) }, body, now)).toBe(false);
    expect(verifyAlert(secret, { signature, timestamp: String(now + 1) }, body, now)).toBe(false);
    expect(verifyAlert(secret, { signature, timestamp: String(now) }, body, now + 301)).toBe(false);
    expect(verifyAlert(secret, { signature: undefined, timestamp: String(now) }, body, now)).toBe(false);
    expect(verifyAlert(secret, { signature: 'sha256=00', timestamp: String(now) }, body, now)).toBe(false);
  });
});
