import axios from 'axios';
import Stripe from 'stripe';
import { stripeSignatureHeader } from '../../../src/demo/stripe-stand-in';
import type { StartChargingRequest } from '../../../src/own-cpo/driver-payments/payments.service';
import { type FakeStripe, startFakeStripe, WEBHOOK_SECRET } from '../../support/fake-stripe';
import { putOwnLocations, startTestHub, type TestHub } from '../../support/test-hub';

const EVSES = [
  { ocpp_connector: '1', evse_uid: 'NL*HUB*EPAY*1', connector_id: '1' },
  { ocpp_connector: '2', evse_uid: 'NL*HUB*EPAY*2', connector_id: '1' },
  { ocpp_connector: '3', evse_uid: 'NL*HUB*EPAY*3', connector_id: '1' },
];

describe('driver payments with Stripe (the real SDK against the local Stripe server)', () => {
  let stripe: FakeStripe;
  let hub: TestHub;
  const started: StartChargingRequest[] = [];
  let refuseStart: string | undefined;
  const pay = axios.create({ validateStatus: () => true });
  const payments = () => hub.services.payments;
  const count = async (table: string) => (await hub.services.db.query(`SELECT count(*)::int AS n FROM ${table}`))[0].n as number;

  /** A driver starts a payment and (unless told not to) confirms the hold in the browser with the client secret. */
  async function driverPays(connector: string, { confirm = true } = {}) {
    const answer = await pay.post(`${hub.url}/pay/sessions`, { charger_id: 'PAY-CP1', connector });
    expect(answer.status).toBe(201);
    const intentId = answer.data.client_secret.split('_secret_')[0];
    if (confirm) {
      await stripe.browser.paymentIntents.confirm(intentId, { payment_method: 'pm_card_visa', client_secret: answer.data.client_secret } as Stripe.PaymentIntentConfirmParams);
      await stripe.server.webhooksSettled();
    }
    return { ...answer.data, intentId } as { payment_id: string; client_secret: string; id_tag: string; amount: string; currency: string; intentId: string };
  }
  const view = async (id: string) => (await pay.get(`${hub.url}/pay/sessions/${id}`)).data;

  beforeAll(async () => {
    stripe = await startFakeStripe({ connectedAccounts: ['acct_1CPOpayouts'] });
    hub = await startTestHub({ env: { ...stripe.env, PAYMENT_HOLD_AMOUNT: '50.00', PAYMENT_CURRENCY: 'EUR' } });
    stripe.server.setWebhook({ url: `${hub.url}/stripe/webhook`, secret: WEBHOOK_SECRET });
    payments().useStartCharging(async (request) => {
      if (refuseStart) throw new Error(refuseStart);
      started.push(request);
    });
    await putOwnLocations(hub, 'LOC-PAY');
    expect((await hub.admin.post('/admin/chargers', { id: 'PAY-CP1', location_id: 'LOC-PAY', evses: EVSES })).status).toBe(201);
  });
  afterAll(async () => {
    await stripe.close();
    await hub.close();
  });
  beforeEach(() => {
    started.length = 0;
    refuseStart = undefined;
  });

  it('holds, starts the session from the signed webhook, stops at the hold and captures the final cost', async () => {
    const answer = await pay.post(`${hub.url}/pay/sessions`, { charger_id: 'PAY-CP1', connector: '1' });
    expect(answer.status).toBe(201);
    expect(answer.data).toEqual({
      payment_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      client_secret: expect.stringMatching(/^pi_\w+_secret_\w+$/),
      amount: '50.00',
      currency: 'EUR',
      id_tag: expect.stringMatching(/^PAY[0-9A-Z]{17}$/),
      status: 'created',
    });
    expect(answer.headers.location).toBe(`/pay/sessions/${answer.data.payment_id}`);
    const { payment_id: paymentId, id_tag: idTag, client_secret: clientSecret } = answer.data;
    const intentId = clientSecret.split('_secret_')[0];
    expect(stripe.server.paymentIntents.get(intentId)).toMatchObject({ amount: 5000, currency: 'eur', capture_method: 'manual', metadata: { payment_id: paymentId, id_tag: idTag } });
    expect(stripe.server.requests.find((r) => r.path === '/v1/payment_intents' && r.method === 'POST' && r.idempotencyKey === `ocpi-hub/payment/${paymentId}/create`)).toBeDefined();
    expect(await payments().authorizeIdTag(idTag)).toEqual({ accepted: false, holdAmount: '50.00', currency: 'EUR' });

    // The driver's browser confirms with the client secret; Stripe's signed webhook starts the session.
    await stripe.browser.paymentIntents.confirm(intentId, { payment_method: 'pm_card_visa', client_secret: clientSecret } as Stripe.PaymentIntentConfirmParams);
    await stripe.server.webhooksSettled();
    expect(started).toEqual([{ chargerId: 'PAY-CP1', connector: '1', idTag, paymentId }]);
    expect(await view(paymentId)).toMatchObject({ status: 'held', held_amount: '50.00', charger_id: 'PAY-CP1', connector: '1' });
    expect(await payments().authorizeIdTag(idTag)).toEqual({ accepted: true, holdAmount: '50.00', currency: 'EUR' });
    expect(await payments().authorizeIdTag('PAY00000000000000000')).toBeUndefined();
    expect(await payments().authorizeIdTag('04E1A2B3C4')).toBeUndefined(); // an RFID card: not a payment's

    // The running cost, as the pricing engine reports it (OCPI numbers): the session stops at the hold.
    expect(await payments().costUpdate(idTag, 12.34)).toBe('continue');
    expect(await payments().costUpdate(idTag, '49.99')).toBe('continue');
    expect(await payments().costUpdate(idTag, 50)).toBe('stop');
    expect((await view(paymentId)).cost_so_far).toBe('50.00');

    // The CDR came in slightly above the hold (the charger stopped a little late): 50.00 is captured.
    expect(await payments().settleSession(idTag, { cdrId: 'CDR-PAY-1', totalInclVat: 50.12, currency: 'EUR' })).toEqual({
      status: 'captured',
      capturedAmount: '50.00',
      uncollectedAmount: '0.12',
      currency: 'EUR',
    });
    expect(stripe.server.paymentIntents.get(intentId)).toMatchObject({ status: 'succeeded', amount_received: 5000 });
    await stripe.server.webhooksSettled();
    expect(await view(paymentId)).toMatchObject({ status: 'captured', cdr_id: 'CDR-PAY-1', final_cost: '50.12', captured_amount: '50.00', uncollected_amount: '0.12' });
    expect(await payments().authorizeIdTag(idTag)).toMatchObject({ accepted: false });
    expect(await payments().costUpdate(idTag, 51)).toBe('stop');

    // Settling again with the same CDR answers the same result without a second capture; another CDR is refused.
    expect(await payments().settleSession(idTag, { cdrId: 'CDR-PAY-1', totalInclVat: '50.12', currency: 'EUR' })).toMatchObject({ status: 'captured', capturedAmount: '50.00' });
    expect(stripe.server.requests.filter((r) => r.path === `/v1/payment_intents/${intentId}/capture`)).toHaveLength(1);
    await expect(payments().settleSession(idTag, { cdrId: 'CDR-PAY-OTHER', totalInclVat: 3, currency: 'EUR' })).rejects.toThrow(/settled with CDR CDR-PAY-1/);
    await expect(payments().settleSession(idTag, { cdrId: 'CDR-PAY-1', totalInclVat: 40, currency: 'EUR' })).rejects.toThrow(/settled at 50.12, not 40.00/);
  });

  it('captures exactly the final cost below the hold, and refunds a credit CDR once', async () => {
    const { payment_id: paymentId, id_tag: idTag, intentId } = await driverPays('2');
    expect(await payments().settleSession(idTag, { cdrId: 'CDR-PAY-2', totalInclVat: 23.45, currency: 'EUR' })).toEqual({
      status: 'captured',
      capturedAmount: '23.45',
      uncollectedAmount: '0.00',
      currency: 'EUR',
    });
    expect(stripe.server.paymentIntents.get(intentId)).toMatchObject({ status: 'succeeded', amount_received: 2345 });
    const captureRequest = stripe.server.requests.find((r) => r.path === `/v1/payment_intents/${intentId}/capture`)!;
    expect(captureRequest.idempotencyKey).toBe(`ocpi-hub/payment/${paymentId}/capture`);

    // A credit CDR (negative totals) is refunded; asking again answers the same refund.
    const refund = await payments().refundCredit(idTag, { creditCdrId: 'CDR-PAY-2-CREDIT', amount: -5 });
    expect(refund).toEqual({ creditCdrId: 'CDR-PAY-2-CREDIT', refundedAmount: '5.00', currency: 'EUR', stripeRefundId: expect.stringMatching(/^re_/) });
    expect(await payments().refundCredit(idTag, { creditCdrId: 'CDR-PAY-2-CREDIT', amount: -5 })).toEqual(refund);
    const refunds = [...stripe.server.refunds.values()].filter((r) => r.payment_intent === intentId);
    expect(refunds.map((r) => r.amount)).toEqual([500]);
    await expect(payments().refundCredit(idTag, { creditCdrId: 'CDR-PAY-2-CREDIT', amount: -6 })).rejects.toThrow(/refunded as 5.00, not 6.00/);

    // A second credit larger than what is left is refunded up to what is left (18.45 of 30.00).
    expect(await payments().refundCredit(idTag, { creditCdrId: 'CDR-PAY-2-CREDIT-2', amount: '-30.00' })).toMatchObject({ refundedAmount: '18.45' });
    expect(await payments().refundCredit(idTag, { creditCdrId: 'CDR-PAY-2-CREDIT-3', amount: -1 })).toEqual({ creditCdrId: 'CDR-PAY-2-CREDIT-3', refundedAmount: '0.00', currency: 'EUR', stripeRefundId: null });
    await stripe.server.webhooksSettled();
    expect(await view(paymentId)).toMatchObject({ status: 'captured', captured_amount: '23.45', refunded_amount: '23.45' });
    expect(stripe.server.charges.get(stripe.server.paymentIntents.get(intentId)!.latest_charge!)).toMatchObject({ amount_refunded: 2345, refunded: true });
  });

  it('releases the hold when the final cost is zero, and refuses to refund what was never captured', async () => {
    const { payment_id: paymentId, id_tag: idTag, intentId } = await driverPays('3');
    expect(await payments().settleSession(idTag, { cdrId: 'CDR-PAY-3', totalInclVat: 0, currency: 'EUR' })).toEqual({
      status: 'canceled',
      capturedAmount: '0.00',
      uncollectedAmount: '0.00',
      currency: 'EUR',
    });
    expect(stripe.server.paymentIntents.get(intentId)).toMatchObject({ status: 'canceled', amount_capturable: 0, amount_received: 0 });
    await stripe.server.webhooksSettled();
    expect(await view(paymentId)).toMatchObject({ status: 'canceled', captured_amount: '0.00' });
    await expect(payments().refundCredit(idTag, { creditCdrId: 'CDR-PAY-3-CREDIT', amount: -1 })).rejects.toThrow(/nothing captured to refund/);
    await expect(payments().settleSession(idTag, { cdrId: 'CDR-PAY-3', totalInclVat: 0, currency: 'USD' })).rejects.toThrow(/in USD, the payment in EUR/);
  });

  it('refuses a tampered or unsigned webhook with 400, changing nothing, and processes a replayed event once', async () => {
    stripe.server.setWebhook(undefined); // the events are posted by hand below
    // Connector 1 was settled in the first test, so it is free again; this payment's events are kept, not sent.
    const { payment_id: paymentId, intentId } = await driverPays('1');
    const event = stripe.server.events.find((e) => e.type === 'payment_intent.amount_capturable_updated' && e.data.object.id === intentId)!;
    const body = JSON.stringify(event);
    const post = (payload: string, signature?: string) =>
      pay.post(`${hub.url}/stripe/webhook`, payload, { headers: { 'Content-Type': 'application/json', ...(signature !== undefined && { 'Stripe-Signature': signature }) }, transformRequest: (d) => d });
    const eventsBefore = await count('stripe_events');

    const tampered = body.replace('"amount_capturable":5000', '"amount_capturable":1');
    expect(tampered).not.toBe(body);
    const refusals = [
      await post(tampered, stripeSignatureHeader(body, WEBHOOK_SECRET)),
      await post(body, stripeSignatureHeader(body, 'whsec_someone_else')),
      await post(body),
      await post(body, stripeSignatureHeader(body, WEBHOOK_SECRET, Math.floor(Date.now() / 1000) - 3600)), // too old: a replay attack
    ];
    for (const refused of refusals) {
      expect({ status: refused.status, code: refused.data.error.code }).toEqual({ status: 400, code: 'invalid_signature' });
    }
    expect(refusals[2].data.error.message).toMatch(/Stripe-Signature does not verify/);
    expect(await count('stripe_events')).toBe(eventsBefore);
    expect(await view(paymentId)).toMatchObject({ status: 'created' });
    expect(started).toEqual([]);

    const accepted = await post(body, stripeSignatureHeader(body, WEBHOOK_SECRET));
    expect(accepted.status).toBe(200);
    expect(accepted.data).toEqual({ received: true, event_id: event.id, outcome: 'processed' });
    expect(await view(paymentId)).toMatchObject({ status: 'held' });

    // The same event again, by hand and by Stripe's own resend: processed once.
    const replayed = await post(body, stripeSignatureHeader(body, WEBHOOK_SECRET));
    expect(replayed.data).toEqual({ received: true, event_id: event.id, outcome: 'duplicate' });
    stripe.server.setWebhook({ url: `${hub.url}/stripe/webhook`, secret: WEBHOOK_SECRET });
    await stripe.server.resend(event.id);
    expect(stripe.server.deliveries.filter((d) => d.eventId === event.id).map((d) => d.status)).toEqual([200]);
    expect(started).toHaveLength(1);
    expect((await hub.services.db.query(`SELECT count(*)::int AS n FROM stripe_events WHERE id = $1`, [event.id]))[0].n).toBe(1);

    // An event about a PaymentIntent that is not the hub's is acknowledged and ignored.
    const foreign = await stripe.sdk.paymentIntents.create({ amount: 700, currency: 'eur' });
    await stripe.server.webhooksSettled();
    const foreignEvent = stripe.server.events.find((e) => e.type === 'payment_intent.created' && e.data.object.id === foreign.id)!;
    expect((await hub.services.db.query(`SELECT processed_at FROM stripe_events WHERE id = $1`, [foreignEvent.id]))[0].processed_at).not.toBeNull();
    await payments().settleSession((await view(paymentId)).id_tag, { cdrId: 'CDR-PAY-4', totalInclVat: 1, currency: 'EUR' });
  });

  it('makes one PaymentIntent when Stripe\'s answer is lost and the SDK retries with the same Idempotency-Key', async () => {
    const intentsBefore = stripe.server.paymentIntents.size;
    stripe.server.loseNextAnswer('POST', '/v1/payment_intents');
    const answer = await pay.post(`${hub.url}/pay/sessions`, { charger_id: 'PAY-CP1', connector: '2' });
    expect(answer.status).toBe(201);
    expect(stripe.server.paymentIntents.size).toBe(intentsBefore + 1);
    const attempts = stripe.server.requests.filter((r) => r.idempotencyKey === `ocpi-hub/payment/${answer.data.payment_id}/create`);
    expect(attempts.map((a) => a.replayed)).toEqual([false, true]);
    expect(answer.data.client_secret).toBe(stripe.server.paymentIntents.get(answer.data.client_secret.split('_secret_')[0])!.client_secret);

    // The same for a capture whose answer is lost: one capture at Stripe, the settlement completes.
    const { id_tag: idTag, intentId } = { ...answer.data, intentId: answer.data.client_secret.split('_secret_')[0] };
    await stripe.browser.paymentIntents.confirm(intentId, { payment_method: 'pm_card_visa', client_secret: answer.data.client_secret } as Stripe.PaymentIntentConfirmParams);
    await stripe.server.webhooksSettled();
    stripe.server.loseNextAnswer('POST', `/v1/payment_intents/${intentId}/capture`);
    expect(await payments().settleSession(idTag, { cdrId: 'CDR-PAY-5', totalInclVat: 7.77, currency: 'EUR' })).toMatchObject({ status: 'captured', capturedAmount: '7.77' });
    expect(stripe.server.requests.filter((r) => r.path === `/v1/payment_intents/${intentId}/capture`).map((r) => r.replayed)).toEqual([false, true]);
    expect(stripe.server.paymentIntents.get(intentId)).toMatchObject({ amount_received: 777 });
  });

  it('releases the hold when the charger cannot be started', async () => {
    refuseStart = 'the charger is offline';
    const { payment_id: paymentId, id_tag: idTag, intentId } = await driverPays('3');
    expect(await view(paymentId)).toMatchObject({ status: 'canceled', failure: 'The charger could not be started: the charger is offline' });
    expect(stripe.server.paymentIntents.get(intentId)).toMatchObject({ status: 'canceled' });
    expect(await payments().authorizeIdTag(idTag)).toMatchObject({ accepted: false });
  });

  it('keeps a declined card\'s reason and lets the driver try another card', async () => {
    const answer = await driverPays('3', { confirm: false });
    await expect(
      stripe.browser.paymentIntents.confirm(answer.intentId, { payment_method: 'pm_card_chargeDeclined', client_secret: answer.client_secret } as Stripe.PaymentIntentConfirmParams),
    ).rejects.toThrow(/declined/);
    await stripe.server.webhooksSettled();
    expect(await view(answer.payment_id)).toMatchObject({ status: 'created', failure: 'Your card was declined.' });
    await stripe.browser.paymentIntents.confirm(answer.intentId, { payment_method: 'pm_card_visa', client_secret: answer.client_secret } as Stripe.PaymentIntentConfirmParams);
    await stripe.server.webhooksSettled();
    expect(await view(answer.payment_id)).toMatchObject({ status: 'held', failure: null });
    await payments().settleSession(answer.id_tag, { cdrId: 'CDR-PAY-6', totalInclVat: 0, currency: 'EUR' });
  });

  it('refuses bad requests, unknown chargers and busy connectors with 4xx, storing nothing', async () => {
    const { id_tag: busyTag } = await driverPays('2'); // held, not settled: connector 2 is busy
    expect((await hub.admin.post('/admin/chargers', { id: 'PAY-CP-OFF', location_id: 'LOC-PAY', evses: [EVSES[0]] })).status).toBe(201);
    expect((await hub.admin.patch('/admin/chargers/PAY-CP-OFF', { status: 'REJECTED' })).status).toBe(200);
    const before = await count('payments');
    const post = (body: unknown, headers: Record<string, string> = {}) =>
      pay.post(`${hub.url}/pay/sessions`, body, { headers: { 'Content-Type': 'application/json', ...headers }, transformRequest: (d) => (typeof d === 'string' ? d : JSON.stringify(d)) });
    const refusals: [Promise<{ status: number; data: { error: { code: string; message: string } } }>, number, RegExp][] = [
      [post({}), 400, /charger_id/],
      [post({ charger_id: 'PAY-CP1' }), 400, /connector/],
      [post({ charger_id: 'PAY-CP1', connector: '0' }), 400, /connector: must be an OCPP/],
      [post({ charger_id: 'PAY-CP1', connector: 1 }), 400, /connector/],
      [post({ charger_id: 'bad:id', connector: '1' }), 400, /charger_id/],
      [post({ charger_id: 'PAY-CP1', connector: '1', amount: 1 }), 400, /amount/],
      [post('{"charger_id": '), 400, /Invalid JSON/],
      [post(JSON.stringify({ charger_id: 'PAY-CP1', connector: '1', pad: 'x'.repeat(5000) })), 413, /larger than/],
      [post({ charger_id: 'NOPE', connector: '1' }), 404, /No charger with id NOPE/],
      [post({ charger_id: 'PAY-CP1', connector: '9' }), 404, /has no connector 9 \(connectors: 1, 2, 3\)/],
      [post({ charger_id: 'PAY-CP-OFF', connector: '1' }), 409, /not in service/],
      [post({ charger_id: 'PAY-CP1', connector: '2' }), 409, /already starting or running on connector 2/],
      [pay.get(`${hub.url}/pay/sessions/not-a-uuid`), 404, /No payment/],
      [pay.get(`${hub.url}/pay/sessions/00000000-0000-4000-8000-000000000000`), 404, /No payment/],
      [pay.delete(`${hub.url}/pay/sessions/00000000-0000-4000-8000-000000000000`), 405, /DELETE is not allowed/],
      [pay.get(`${hub.url}/pay/elsewhere`), 404, /No payment endpoint/],
      [pay.get(`${hub.url}/stripe/webhook`), 405, /GET is not allowed/],
    ];
    for (const [answer, status, message] of refusals) {
      const { status: actual, data } = await answer;
      expect({ actual, message: data.error.message }).toEqual({ actual: status, message: expect.stringMatching(message) });
    }
    expect(await count('payments')).toBe(before);

    // Calls from the charging side with what is not a payment's are refused by name.
    await expect(payments().costUpdate('PAY00000000000000000', 1)).rejects.toThrow(/No payment has idTag/);
    await expect(payments().costUpdate(busyTag, 'lots')).rejects.toThrow(/costInclVat: lots is not an amount of money/);
    await expect(payments().settleSession(busyTag, { cdrId: 'X', totalInclVat: -1, currency: 'EUR' })).rejects.toThrow(/negative total/);
    await payments().settleSession(busyTag, { cdrId: 'CDR-PAY-7', totalInclVat: 0, currency: 'EUR' });
  });
});

describe('payments turned off (no STRIPE_SECRET_KEY)', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub();
  });
  afterAll(() => hub.close());

  it('answers 503 with a sentence on every payment route, and the charging side sees no payment idTags', async () => {
    const answers = await Promise.all([
      axios.post(`${hub.url}/pay/sessions`, { charger_id: 'X', connector: '1' }, { validateStatus: () => true }),
      axios.get(`${hub.url}/pay/sessions/00000000-0000-4000-8000-000000000000`, { validateStatus: () => true }),
      axios.post(`${hub.url}/stripe/webhook`, '{}', { headers: { 'Stripe-Signature': 't=1,v1=00' }, validateStatus: () => true }),
    ]);
    for (const answer of answers) {
      expect(answer.status).toBe(503);
      expect(answer.data).toEqual({ error: { code: 'payments_off', message: 'Payments are off on this hub: it has no Stripe key (STRIPE_SECRET_KEY)' } });
    }
    expect(hub.services.payments.enabled).toBe(false);
    expect(await hub.services.payments.authorizeIdTag('PAY00000000000000000')).toBeUndefined();
    await expect(hub.services.payments.payStatement({ statementId: 's', destinationAccount: 'acct_1', amount: 1, currency: 'EUR' })).rejects.toThrow(/Payments are off/);
  });
});
