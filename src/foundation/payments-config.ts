import { z } from 'zod';
import { findCurrency } from '../core/money/currencies';
import { currencyExponent, toMinorUnits } from '../core/payments/stripe-amounts';

/** The payment settings of the environment; foundation/config.ts spreads them into its schema. */
export const PAYMENTS_ENV = {
  STRIPE_SECRET_KEY: z.string().regex(/^(sk|rk)_(test|live)_[A-Za-z0-9_]+$/, 'STRIPE_SECRET_KEY must be a Stripe secret key (sk_test_…, sk_live_…, or a restricted rk_… key)').optional(),
  STRIPE_WEBHOOK_SECRET: z.string().regex(/^whsec_[A-Za-z0-9_]+$/, 'STRIPE_WEBHOOK_SECRET must be a webhook signing secret (whsec_…)').optional(),
  STRIPE_API_HOST: z.string().min(1).optional(),
  STRIPE_API_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  STRIPE_API_PROTOCOL: z.enum(['http', 'https'], 'STRIPE_API_PROTOCOL must be http or https').optional(),
  PAYMENT_HOLD_AMOUNT: z.string().regex(/^\d{1,6}(\.\d{1,3})?$/, 'PAYMENT_HOLD_AMOUNT must be an amount like 50.00').default('50.00'),
  PAYMENT_CURRENCY: z.string().regex(/^[A-Z]{3}$/, 'PAYMENT_CURRENCY must be an ISO 4217 code like EUR').default('EUR'),
  PAYMENT_START_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(3600).default(180),
};

type PaymentsEnv = z.infer<z.ZodObject<typeof PAYMENTS_ENV>>;

export interface PaymentsConfig {
  /** Absent without STRIPE_SECRET_KEY: payments are off and their endpoints answer 503. */
  stripe?: {
    secretKey: string;
    webhookSecret: string;
    /** Where the API is (api.stripe.com:443 over https unless set; tests and the demo use a local server). */
    host?: string;
    port?: number;
    protocol?: 'http' | 'https';
  };
  /** What is held on the driver's card at the start, in minor units of `currency`. */
  holdAmount: number;
  currency: string;
  /** A held payment whose charger has not started a transaction this long after the hold is released. */
  startTimeoutSeconds: number;
}

/** Builds the payments settings; a key without a webhook secret (or the reverse) stops the start. */
export function paymentsConfig(e: PaymentsEnv): PaymentsConfig {
  if (Boolean(e.STRIPE_SECRET_KEY) !== Boolean(e.STRIPE_WEBHOOK_SECRET)) {
    throw new Error('Invalid configuration: STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET must be set together (webhooks cannot be verified without the signing secret)');
  }
  if (!findCurrency(e.PAYMENT_CURRENCY)) throw new Error(`Invalid configuration: PAYMENT_CURRENCY ${e.PAYMENT_CURRENCY} is not an ISO 4217 currency code`);
  const decimals = e.PAYMENT_HOLD_AMOUNT.split('.')[1]?.length ?? 0;
  if (decimals > currencyExponent(e.PAYMENT_CURRENCY)) {
    throw new Error(`Invalid configuration: PAYMENT_HOLD_AMOUNT ${e.PAYMENT_HOLD_AMOUNT} has more decimals than ${e.PAYMENT_CURRENCY} has`);
  }
  const holdAmount = toMinorUnits(e.PAYMENT_HOLD_AMOUNT, e.PAYMENT_CURRENCY);
  if (holdAmount <= 0) throw new Error('Invalid configuration: PAYMENT_HOLD_AMOUNT must be more than 0');
  return {
    stripe: e.STRIPE_SECRET_KEY
      ? {
          secretKey: e.STRIPE_SECRET_KEY,
          webhookSecret: e.STRIPE_WEBHOOK_SECRET!,
          host: e.STRIPE_API_HOST,
          port: e.STRIPE_API_PORT,
          protocol: e.STRIPE_API_PROTOCOL,
        }
      : undefined,
    holdAmount,
    currency: e.PAYMENT_CURRENCY,
    startTimeoutSeconds: e.PAYMENT_START_TIMEOUT_SECONDS,
  };
}
