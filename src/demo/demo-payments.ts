import type { Logger } from 'pino';
import type { Config } from '../foundation/config';
import { WEBHOOK_PATH } from '../own-cpo/driver-payments/payments.routes';
import { StripeStandIn } from './stripe-stand-in';

/** The demo's webhook signing secret between the stand-in and the hub (local, never a real secret). */
const DEMO_WEBHOOK_SECRET = 'whsec_demo_local_stand_in';

/**
 * Card payments in the demo: without STRIPE_SECRET_KEY, the demo runs the local Stripe stand-in on a
 * free 127.0.0.1 port and points the hub's payments at it, so a driver can pay on the driver's page
 * (its hosted Checkout page takes Stripe's test card numbers) and the webhook path is the real one,
 * signatures verified. With STRIPE_SECRET_KEY set, the demo uses that account as the hub would.
 */
export async function demoPayments(config: Config, log: Logger): Promise<{ config: Config; summary: string[]; stop(): Promise<void> }> {
  if (config.payments.stripe) return { config, summary: [], stop: async () => undefined };
  const standIn = new StripeStandIn({ webhook: { url: `http://127.0.0.1:${config.port}${WEBHOOK_PATH}`, secret: DEMO_WEBHOOK_SECRET } });
  const address = await standIn.listen();
  log.info({ url: address.url }, 'demo: card payments through the local Stripe stand-in');
  return {
    config: {
      ...config,
      payments: {
        ...config.payments,
        stripe: { secretKey: standIn.secretKey, webhookSecret: DEMO_WEBHOOK_SECRET, host: address.host, port: address.port, protocol: address.protocol },
      },
    },
    summary: [`  Card payments:      a local Stripe stand-in at ${address.url} (test card 4242 4242 4242 4242; 4000 0000 0000 0002 is declined)`],
    stop: () => standIn.close(),
  };
}
