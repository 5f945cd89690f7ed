import { loadConfig } from '../../../src/foundation/config';

describe('payments configuration', () => {
  it('is off without a key, with a 50.00 EUR hold by default', () => {
    expect(loadConfig({}).payments).toEqual({ stripe: undefined, holdAmount: 5000, currency: 'EUR', startTimeoutSeconds: 180 });
  });

  it('reads the key, the webhook secret, a local API address and the hold', () => {
    const config = loadConfig({
      STRIPE_SECRET_KEY: 'sk_test_abc',
      STRIPE_WEBHOOK_SECRET: 'whsec_abc',
      STRIPE_API_HOST: '127.0.0.1',
      STRIPE_API_PORT: '12111',
      STRIPE_API_PROTOCOL: 'http',
      PAYMENT_HOLD_AMOUNT: '30',
      PAYMENT_CURRENCY: 'CHF',
    });
    expect(config.payments).toEqual({
      stripe: { secretKey: 'sk_test_abc', webhookSecret: 'whsec_abc', host: '127.0.0.1', port: 12111, protocol: 'http' },
      holdAmount: 3000,
      currency: 'CHF',
      startTimeoutSeconds: 180,
    });
    expect(loadConfig({ PAYMENT_HOLD_AMOUNT: '5000', PAYMENT_CURRENCY: 'JPY' }).payments.holdAmount).toBe(5000);
  });

  it('stops the start with a sentence naming what is wrong', () => {
    expect(() => loadConfig({ STRIPE_SECRET_KEY: 'sk_test_abc' })).toThrow(/STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET must be set together/);
    expect(() => loadConfig({ STRIPE_WEBHOOK_SECRET: 'whsec_abc' })).toThrow(/must be set together/);
    expect(() => loadConfig({ STRIPE_SECRET_KEY: 'pk_test_abc', STRIPE_WEBHOOK_SECRET: 'whsec_abc' })).toThrow(/STRIPE_SECRET_KEY must be a Stripe secret key/);
    expect(() => loadConfig({ STRIPE_API_PROTOCOL: 'ftp' })).toThrow(/STRIPE_API_PROTOCOL must be http or https/);
    expect(() => loadConfig({ PAYMENT_HOLD_AMOUNT: '50,00' })).toThrow(/PAYMENT_HOLD_AMOUNT must be an amount like 50.00/);
    expect(() => loadConfig({ PAYMENT_HOLD_AMOUNT: '0.00' })).toThrow(/PAYMENT_HOLD_AMOUNT must be more than 0/);
    expect(() => loadConfig({ PAYMENT_HOLD_AMOUNT: '10.5', PAYMENT_CURRENCY: 'JPY' })).toThrow(/more decimals than JPY has/);
    expect(() => loadConfig({ PAYMENT_CURRENCY: 'eur' })).toThrow(/PAYMENT_CURRENCY must be an ISO 4217 code/);
  });
});
