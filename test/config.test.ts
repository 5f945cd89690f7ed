import { loadConfig } from '../src/config';

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
});
