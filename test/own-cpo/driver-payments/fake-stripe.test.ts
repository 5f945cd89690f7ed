import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { parseStripeForm } from '../../../src/demo/stripe-stand-in';
import { type FakeStripe, startFakeStripe, WEBHOOK_SECRET } from '../../support/fake-stripe';

/** What a Stripe SDK call failed with: the HTTP status and Stripe's error type and code. */
async function failure(call: Promise<unknown>): Promise<{ status?: number; type: string; code?: string; message: string }> {
  try {
    await call;
  } catch (error) {
    if (error instanceof Stripe.errors.StripeError) {
      return { status: error.statusCode, type: error.type, code: error.code, message: error.message };
    }
    throw error;
  }
  throw new Error('the call succeeded');
}

/** A webhook endpoint that keeps raw bodies and headers, answering the statuses it is given in turn (then 200). */
async function webhookEndpoint(statuses: number[] = []) {
  const received: { body: Buffer; signature: string }[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ body: Buffer.concat(chunks), signature: String(req.headers['stripe-signature']) });
      res.statusCode = statuses.shift() ?? 200;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    received,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

describe('the local Stripe test server, through the real stripe SDK', () => {
  let stripe: FakeStripe;
  const hold = (key?: string) =>
    stripe.sdk.paymentIntents.create(
      { amount: 5000, currency: 'eur', capture_method: 'manual', metadata: { payment_id: 'p-1' } },
      key ? { idempotencyKey: key } : undefined,
    );
  const held = async () => {
    const intent = await hold();
    return stripe.browser.paymentIntents.confirm(intent.id, { payment_method: 'pm_card_visa', client_secret: intent.client_secret! } as Stripe.PaymentIntentConfirmParams);
  };

  beforeAll(async () => {
    stripe = await startFakeStripe({ connectedAccounts: ['acct_1CPOone'] });
  });
  afterAll(() => stripe.close());

  it('reads form bodies as Stripe does (nested keys, indexed and empty-bracket arrays)', () => {
    expect(parseStripeForm('amount=5&metadata[a]=1&metadata[b]=x%20y&expand[0]=c&expand[1]=d&types[]=card')).toEqual({
      amount: '5',
      metadata: { a: '1', b: 'x y' },
      expand: ['c', 'd'],
      types: ['card'],
    });
  });

  it('holds with manual capture: requires_payment_method → (browser confirms) requires_capture → partial capture → succeeded', async () => {
    const intent = await hold();
    expect(intent).toMatchObject({ object: 'payment_intent', amount: 5000, currency: 'eur', capture_method: 'manual', status: 'requires_payment_method', metadata: { payment_id: 'p-1' } });
    expect(intent.client_secret).toMatch(new RegExp(`^${intent.id}_secret_`));

    const confirmed = await stripe.browser.paymentIntents.confirm(intent.id, { payment_method: 'pm_card_visa', client_secret: intent.client_secret! } as Stripe.PaymentIntentConfirmParams);
    expect(confirmed).toMatchObject({ status: 'requires_capture', amount_capturable: 5000, amount_received: 0 });

    const captured = await stripe.sdk.paymentIntents.capture(intent.id, { amount_to_capture: 1234 });
    expect(captured).toMatchObject({ status: 'succeeded', amount_received: 1234, amount_capturable: 0 });
    expect(await stripe.sdk.charges.retrieve(captured.latest_charge as string)).toMatchObject({ captured: true, amount_captured: 1234, amount: 5000 });
    expect((await stripe.sdk.paymentIntents.retrieve(intent.id)).status).toBe('succeeded');
  });

  it('refuses illegal transitions with Stripe\'s error shapes and statuses', async () => {
    const intent = await hold();
    expect(await failure(stripe.sdk.paymentIntents.capture(intent.id))).toMatchObject({ status: 400, type: 'StripeInvalidRequestError', code: 'payment_intent_unexpected_state' });
    expect(await failure(stripe.sdk.refunds.create({ payment_intent: intent.id }))).toMatchObject({ status: 400, code: 'charge_not_refundable' });

    const confirmed = await stripe.browser.paymentIntents.confirm(intent.id, { payment_method: 'pm_card_visa', client_secret: intent.client_secret! } as Stripe.PaymentIntentConfirmParams);
    expect(await failure(stripe.sdk.paymentIntents.confirm(confirmed.id, { payment_method: 'pm_card_visa' }))).toMatchObject({ status: 400, code: 'payment_intent_unexpected_state' });
    expect(await failure(stripe.sdk.paymentIntents.update(confirmed.id, { amount: 9000 }))).toMatchObject({ status: 400, code: 'payment_intent_unexpected_state' });
    expect(await failure(stripe.sdk.paymentIntents.capture(confirmed.id, { amount_to_capture: 5001 }))).toMatchObject({
      status: 400,
      code: 'amount_too_large',
      message: expect.stringMatching(/amount to capture \(5001\) must be less than or equal to the amount capturable \(5000\)/),
    });
    await stripe.sdk.paymentIntents.capture(confirmed.id, { amount_to_capture: 3000 });
    expect(await failure(stripe.sdk.paymentIntents.capture(confirmed.id))).toMatchObject({ status: 400, code: 'payment_intent_unexpected_state' });
    expect(await failure(stripe.sdk.paymentIntents.cancel(confirmed.id))).toMatchObject({ status: 400, code: 'payment_intent_unexpected_state' });

    // Refunds are limited to what was captured (3000), not to what was held.
    expect(await failure(stripe.sdk.refunds.create({ payment_intent: confirmed.id, amount: 3001 }))).toMatchObject({ status: 400, code: 'amount_too_large' });
    expect(await stripe.sdk.refunds.create({ payment_intent: confirmed.id, amount: 1000 })).toMatchObject({ object: 'refund', amount: 1000, status: 'succeeded', payment_intent: confirmed.id });
    expect(await stripe.sdk.refunds.create({ payment_intent: confirmed.id })).toMatchObject({ amount: 2000 });
    expect(await failure(stripe.sdk.refunds.create({ payment_intent: confirmed.id }))).toMatchObject({ status: 400, code: 'charge_already_refunded' });
    expect(await stripe.sdk.charges.retrieve(confirmed.latest_charge as string)).toMatchObject({ amount_refunded: 3000, refunded: true });
  });

  it('cancels a hold (releasing it) and then refuses to confirm or capture it', async () => {
    const intent = await held();
    const canceled = await stripe.sdk.paymentIntents.cancel(intent.id, { cancellation_reason: 'abandoned' });
    expect(canceled).toMatchObject({ status: 'canceled', amount_capturable: 0, cancellation_reason: 'abandoned', canceled_at: expect.any(Number) });
    expect(await failure(stripe.sdk.paymentIntents.capture(intent.id))).toMatchObject({ status: 400, code: 'payment_intent_unexpected_state' });
    expect(await failure(stripe.sdk.paymentIntents.cancel(intent.id))).toMatchObject({ status: 400, code: 'payment_intent_unexpected_state' });
  });

  it('declines the declining test card with a 402 card_error and lets the driver try again', async () => {
    const intent = await hold();
    const declined = await failure(stripe.browser.paymentIntents.confirm(intent.id, { payment_method: 'pm_card_chargeDeclined', client_secret: intent.client_secret! } as Stripe.PaymentIntentConfirmParams));
    expect(declined).toMatchObject({ status: 402, type: 'StripeCardError', code: 'card_declined' });
    expect((await stripe.sdk.paymentIntents.retrieve(intent.id)).status).toBe('requires_payment_method');
    expect((await stripe.sdk.paymentIntents.confirm(intent.id, { payment_method: 'pm_card_visa' })).status).toBe('requires_capture');
  });

  it('checks keys, client secrets, parameters and ids', async () => {
    const wrongKey = new Stripe('sk_test_wrong_key_000', { host: '127.0.0.1', port: Number(stripe.env.STRIPE_API_PORT), protocol: 'http', maxNetworkRetries: 0 });
    expect(await failure(wrongKey.paymentIntents.retrieve('pi_x'))).toMatchObject({ status: 401, type: 'StripeAuthenticationError' });
    const intent = await hold();
    expect(await failure(stripe.browser.paymentIntents.confirm(intent.id, { payment_method: 'pm_card_visa', client_secret: 'pi_x_secret_y' } as Stripe.PaymentIntentConfirmParams))).toMatchObject({ status: 400 });
    expect(await failure(stripe.browser.paymentIntents.capture(intent.id))).toMatchObject({ status: 401 });
    expect(await failure(stripe.sdk.paymentIntents.create({ amount: 5000, currency: 'eur', colour: 'blue' } as Stripe.PaymentIntentCreateParams))).toMatchObject({ status: 400, code: 'parameter_unknown', message: 'Received unknown parameter: colour' });
    expect(await failure(stripe.sdk.paymentIntents.create({ currency: 'eur' } as Stripe.PaymentIntentCreateParams))).toMatchObject({ status: 400, code: 'parameter_missing' });
    expect(await failure(stripe.sdk.paymentIntents.create({ amount: 49, currency: 'eur' }))).toMatchObject({ status: 400, code: 'amount_too_small' });
    expect(await failure(stripe.sdk.paymentIntents.retrieve('pi_nope'))).toMatchObject({ status: 404, code: 'resource_missing', message: "No such payment_intent: 'pi_nope'" });
    expect(await failure(stripe.sdk.paymentIntents.confirm(intent.id, { payment_method: 'pm_card_unknown' }))).toMatchObject({ status: 400, code: 'resource_missing' });
  });

  it('replays an Idempotency-Key with the same parameters and refuses it with others', async () => {
    const before = stripe.server.paymentIntents.size;
    const first = await hold('hub-test:create:1');
    const again = await hold('hub-test:create:1');
    expect(again.id).toBe(first.id);
    expect(stripe.server.paymentIntents.size).toBe(before + 1);
    expect(stripe.server.requests.filter((r) => r.idempotencyKey === 'hub-test:create:1').map((r) => r.replayed)).toEqual([false, true]);

    const other = await failure(stripe.sdk.paymentIntents.create({ amount: 6000, currency: 'eur', capture_method: 'manual' }, { idempotencyKey: 'hub-test:create:1' }));
    expect(other).toMatchObject({ status: 400, type: 'StripeIdempotencyError', message: expect.stringMatching(/same parameters/) });
    const elsewhere = await failure(stripe.sdk.paymentIntents.cancel(first.id, {}, { idempotencyKey: 'hub-test:create:1' }));
    expect(elsewhere).toMatchObject({ status: 400, type: 'StripeIdempotencyError', message: expect.stringMatching(/same endpoint/) });
    expect(stripe.server.paymentIntents.size).toBe(before + 1);

    // A refused capture is stored and replayed too (the endpoint ran), but a parameter error is not:
    // the same key works once the parameters are right.
    const refused = await failure(stripe.sdk.paymentIntents.capture(first.id, {}, { idempotencyKey: 'hub-test:capture:1' }));
    expect(await failure(stripe.sdk.paymentIntents.capture(first.id, {}, { idempotencyKey: 'hub-test:capture:1' }))).toEqual(refused);
    expect(await failure(stripe.sdk.transfers.create({ amount: 100, currency: 'eur' } as Stripe.TransferCreateParams, { idempotencyKey: 'hub-test:t:1' }))).toMatchObject({ code: 'parameter_missing' });
    expect(await stripe.sdk.transfers.create({ amount: 100, currency: 'eur', destination: 'acct_1CPOone' }, { idempotencyKey: 'hub-test:t:1' })).toMatchObject({ amount: 100 });
  });

  it('transfers to known connected accounts, grouped by transfer_group', async () => {
    expect(await failure(stripe.sdk.transfers.create({ amount: 100, currency: 'eur', destination: 'acct_unknown' }))).toMatchObject({ status: 400, code: 'resource_missing', message: "No such destination: 'acct_unknown'" });
    const transfer = await stripe.sdk.transfers.create({ amount: 12345, currency: 'EUR', destination: 'acct_1CPOone', transfer_group: 'statement-7' });
    expect(transfer).toMatchObject({ object: 'transfer', amount: 12345, currency: 'eur', destination: 'acct_1CPOone', transfer_group: 'statement-7' });
    expect((await stripe.sdk.transfers.list({ transfer_group: 'statement-7' })).data.map((t) => t.id)).toEqual([transfer.id]);
  });

  it('sends events signed like Stripe, which the SDK verifies, and retries an endpoint that fails', async () => {
    const endpoint = await webhookEndpoint([500]);
    stripe.server.setWebhook({ url: endpoint.url, secret: WEBHOOK_SECRET });
    try {
      const intent = await held();
      await stripe.sdk.paymentIntents.capture(intent.id, { amount_to_capture: 700 });
      await stripe.server.webhooksSettled();
      const events = endpoint.received.map(({ body, signature }) => stripe.sdk.webhooks.constructEvent(body, signature, WEBHOOK_SECRET));
      // The first delivery was answered 500 and came again.
      expect(events[0].id).toBe(events[1].id);
      expect([...new Set(events.map((e) => e.type))]).toEqual([
        'payment_intent.created',
        'charge.succeeded',
        'payment_intent.amount_capturable_updated',
        'charge.captured',
        'payment_intent.succeeded',
      ]);
      const capturable = events.find((e) => e.type === 'payment_intent.amount_capturable_updated')!;
      expect(capturable.data.object).toMatchObject({ id: intent.id, status: 'requires_capture', amount_capturable: 5000 });
      expect(stripe.server.deliveries[0]).toMatchObject({ attempt: 1, status: 500 });

      const tampered = Buffer.from(endpoint.received[2].body.toString('utf8').replace('5000', '9000'));
      expect(() => stripe.sdk.webhooks.constructEvent(tampered, endpoint.received[2].signature, WEBHOOK_SECRET)).toThrow(Stripe.errors.StripeSignatureVerificationError);
      expect(() => stripe.sdk.webhooks.constructEvent(endpoint.received[2].body, endpoint.received[2].signature, 'whsec_other')).toThrow(Stripe.errors.StripeSignatureVerificationError);
    } finally {
      stripe.server.setWebhook(undefined);
      await endpoint.close();
    }
  });
});
