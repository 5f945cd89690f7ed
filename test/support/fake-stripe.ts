import Stripe from 'stripe';
import { StripeStandIn, type StripeStandInOptions } from '../../src/demo/stripe-stand-in';

export interface FakeStripe {
  server: StripeStandIn;
  /** What the hub's STRIPE_* settings must say to reach it. */
  env: Record<string, string>;
  /** The real SDK with the secret key, pointed at the server (no retries, so tests see every request once). */
  sdk: Stripe;
  /** The real SDK with the publishable key: what a driver's browser does with the client secret. */
  browser: Stripe;
  close(): Promise<void>;
}

export const WEBHOOK_SECRET = 'whsec_test_local_0123456789abcdef';

/** A StripeStandIn on a free 127.0.0.1 port, and the real `stripe` SDK pointed at it. */
export async function startFakeStripe(options: StripeStandInOptions = {}): Promise<FakeStripe> {
  const server = new StripeStandIn({ webhookRetryDelaysMs: [20, 50], ...options });
  const address = await server.listen();
  const sdkOptions = { host: address.host, port: address.port, protocol: address.protocol, maxNetworkRetries: 0 };
  return {
    server,
    env: {
      STRIPE_SECRET_KEY: server.secretKey,
      STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
      STRIPE_API_HOST: address.host,
      STRIPE_API_PORT: String(address.port),
      STRIPE_API_PROTOCOL: address.protocol,
    },
    sdk: new Stripe(server.secretKey, sdkOptions),
    browser: new Stripe(server.publishableKey, sdkOptions),
    close: () => server.close(),
  };
}
