import { loadConfig } from '../src/foundation/config';

describe('configuration', () => {
  it('has working defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ port: 8080, host: '127.0.0.1', publicUrl: 'http://127.0.0.1:8080', hub: { countryCode: 'NL', partyId: 'HUB' } });
    expect(config.databaseUrl).toBeUndefined();
    expect(config.dataDir).toMatch(/data$/);
  });

  it('builds the public URL from PORT, or takes PUBLIC_URL without a trailing slash', () => {
    expect(loadConfig({ PORT: '9000' }).publicUrl).toBe('http://127.0.0.1:9000');
    expect(loadConfig({ PUBLIC_URL: 'https://hub.example.com/' }).publicUrl).toBe('https://hub.example.com');
  });

  it('stops with a sentence naming each bad variable', () => {
    const bad = () => loadConfig({ PORT: 'eighty', HUB_PARTY_ID: 'toolong', TOKEN_ENCRYPTION_KEY: 'abc' });
    expect(bad).toThrow(/^Invalid configuration: /);
    expect(bad).toThrow(/PORT: /);
    expect(bad).toThrow(/HUB_PARTY_ID: HUB_PARTY_ID must be three capital letters or digits/);
    expect(bad).toThrow(/TOKEN_ENCRYPTION_KEY: TOKEN_ENCRYPTION_KEY must be 64 hex characters/);
    expect(() => loadConfig({ ADMIN_API_KEY: 'short' })).toThrow(/ADMIN_API_KEY must be at least 16 characters/);
  });

  it('configures the OCPP server: no auto-registration, pings after twice the heartbeat interval, TLS only with both files', () => {
    expect(loadConfig({}).ocpp).toEqual({ autoRegister: false, heartbeatIntervalSeconds: 300, pingIntervalMs: 600_000, tls: undefined });
    const custom = loadConfig({
      OCPP_AUTO_REGISTER: 'true',
      OCPP_HEARTBEAT_INTERVAL_SECONDS: '60',
      OCPP_PING_INTERVAL_SECONDS: '0.25',
      OCPP_TLS_KEY: 'tls/key.pem',
      OCPP_TLS_CERT: '/etc/hub/cert.pem',
    }).ocpp;
    expect(custom).toMatchObject({ autoRegister: true, heartbeatIntervalSeconds: 60, pingIntervalMs: 250 });
    expect(custom.tls).toEqual({ keyFile: expect.stringMatching(/^\/.*tls\/key\.pem$/), certFile: '/etc/hub/cert.pem', port: 8443 });
    expect(loadConfig({ OCPP_HEARTBEAT_INTERVAL_SECONDS: '60' }).ocpp.pingIntervalMs).toBe(120_000);
    expect(loadConfig({ OCPP_PING_INTERVAL_SECONDS: '0' }).ocpp.pingIntervalMs).toBe(0);
    expect(() => loadConfig({ OCPP_AUTO_REGISTER: 'yes' })).toThrow(/OCPP_AUTO_REGISTER: OCPP_AUTO_REGISTER must be true or false/);
    expect(() => loadConfig({ OCPP_PING_INTERVAL_SECONDS: '-1' })).toThrow(/OCPP_PING_INTERVAL_SECONDS must be 0 \(off\) or more/);
    expect(() => loadConfig({ OCPP_HEARTBEAT_INTERVAL_SECONDS: '1.5' })).toThrow(/OCPP_HEARTBEAT_INTERVAL_SECONDS/);
    expect(() => loadConfig({ OCPP_TLS_KEY: 'key.pem' })).toThrow(/OCPP_TLS_KEY and OCPP_TLS_CERT must be set together/);
  });
});
