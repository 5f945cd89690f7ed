import axios from 'axios';
import type Stripe from 'stripe';
import { type FakeStripe, startFakeStripe, WEBHOOK_SECRET } from '../../support/fake-stripe';
import { waitFor } from '../../support/network';
import { type OwnNetwork, startOwnNetwork } from '../../support/own-network';

/**
 * A driver without a roaming contract pays at an own charger: the hold starts the charger, the running
 * cost stops it when the hold is used up, the CDR's cost is captured, and a credit CDR refunds it.
 * The real stripe SDK talks to the local Stripe server; webhooks are really signed.
 */
describe('an ad hoc paid session at an own charger, end to end', () => {
  let stripe: FakeStripe;
  let net: OwnNetwork;
  const pay = axios.create({ validateStatus: () => true });

  beforeAll(async () => {
    stripe = await startFakeStripe();
    net = await startOwnNetwork({ emsps: ['NL/EM1'], evses: ['E1'], hub: { env: { ...stripe.env, PAYMENT_HOLD_AMOUNT: '5.00', PAYMENT_CURRENCY: 'EUR' } } });
    stripe.server.setWebhook({ url: `${net.hub.url}/stripe/webhook`, secret: WEBHOOK_SECRET });
    await net.addCharger('PAYCP', 'ocpp1.6', 'SITE1', 'E1');
  });
  afterAll(async () => {
    await net.close();
    await stripe.close();
  });

  it('hold → remote start → stopped at the hold → CDR kept at the hub → capture → credit CDR refunds', async () => {
    const cp = await net.connect('PAYCP', 'ocpp1.6');
    await cp.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available' });
    const start = new Date(Date.now() - 40 * 60_000);
    const at = (minutes: number) => new Date(start.getTime() + minutes * 60_000).toISOString();
    let transactionId = 0;
    const stopped: number[] = [];
    cp.handle('RemoteStartTransaction', async ({ params = {} }) => {
      setTimeout(async () => {
        const answer = (await cp.call('StartTransaction', { connectorId: params.connectorId, idTag: params.idTag, meterStart: 0, timestamp: at(0) })) as { transactionId: number };
        transactionId = answer.transactionId;
      }, 20);
      return { status: 'Accepted' };
    });
    cp.handle('RemoteStopTransaction', async ({ params = {} }) => {
      stopped.push(params.transactionId);
      setTimeout(() => void cp.call('StopTransaction', { transactionId: params.transactionId, meterStop: 20000, timestamp: at(30), reason: 'Remote' }), 20);
      return { status: 'Accepted' };
    });

    const paid = await pay.post(`${net.hub.url}/pay/sessions`, { charger_id: 'PAYCP', connector: '1' });
    expect(paid.status).toBe(201);
    const intentId = paid.data.client_secret.split('_secret_')[0];
    await stripe.browser.paymentIntents.confirm(intentId, { payment_method: 'pm_card_visa', client_secret: paid.data.client_secret } as Stripe.PaymentIntentConfirmParams);
    await stripe.server.webhooksSettled();
    await waitFor(() => transactionId, 'the remote start');
    const transaction = (await net.hub.services.transactions.find('PAYCP', String(transactionId)))!;
    expect(transaction.auth).toMatchObject({ status: 'ALLOWED', cdrToken: { type: 'AD_HOC_USER', uid: paid.data.id_tag, party_id: 'HUB' } });

    const reading = (minutes: number, wh: number) => ({ timestamp: at(minutes), sampledValue: [{ value: String(wh), measurand: 'Energy.Active.Import.Register' }] });
    // 8 kWh in 15 min: 2.00 + 0.50 excl. VAT = 2.75 incl. — below the 5.00 hold.
    await cp.call('MeterValues', { connectorId: 1, transactionId, meterValue: [reading(15, 8000)] });
    await new Promise((r) => setTimeout(r, 200));
    expect(stopped).toEqual([]);
    // 20 kWh in 30 min: 5.00 + 1.00 excl. = 6.60 incl. — the hold is used up: the hub stops the charger.
    await cp.call('MeterValues', { connectorId: 1, transactionId, meterValue: [reading(30, 20000)] });
    await waitFor(() => stopped.length === 1, 'the remote stop');

    const payment = await waitFor(async () => {
      const view = (await pay.get(`${net.hub.url}/pay/sessions/${paid.data.payment_id}`)).data;
      return view.status === 'captured' && view;
    }, 'the capture');
    expect(payment).toMatchObject({ captured_amount: '5.00', uncollected_amount: '1.60' });
    expect(stripe.server.paymentIntents.get(intentId)).toMatchObject({ status: 'succeeded', amount_received: 500 });
    // The CDR stays at the hub (no eMSP): nothing went to EM1.
    const cdr = (await net.hub.services.store.get({ module: 'cdrs', countryCode: 'NL', partyId: 'HUB', objectId: transaction.sessionId }))!.data as Record<string, any>;
    expect(cdr).toMatchObject({ total_energy: 20, total_cost: { excl_vat: 6, incl_vat: 6.6 }, cdr_token: { type: 'AD_HOC_USER' } });
    expect(net.parties.EM1.partner.received('POST', '/ocpi/2.2.1/cdrs')).toHaveLength(0);
    expect(net.parties.EM1.partner.received('PUT', '/ocpi/2.2.1/sessions')).toHaveLength(0);

    // The operator credits the CDR: the payment is refunded (at most what was captured).
    const credit = await net.hub.admin.post(`/admin/cdrs/${transaction.sessionId}/credit`);
    expect(credit.status).toBe(201);
    expect(credit.data).toMatchObject({ id: `${transaction.sessionId}-C`, credit: true, credit_reference_id: transaction.sessionId, total_cost: { excl_vat: -6, incl_vat: -6.6 }, total_energy: -20 });
    expect([...stripe.server.refunds.values()].filter((r) => r.payment_intent === intentId).map((r) => r.amount)).toEqual([500]);
    expect((await net.hub.admin.post(`/admin/cdrs/${transaction.sessionId}/credit`)).status).toBe(409);
    expect((await net.hub.admin.post(`/admin/cdrs/no-such-cdr/credit`)).status).toBe(404);
  });
});
