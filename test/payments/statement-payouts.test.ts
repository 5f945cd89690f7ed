import { type FakeStripe, startFakeStripe } from '../support/fake-stripe';
import { example, startNetwork, type TestNetwork } from '../support/network';

/** Closing a settlement statement pays its CPO out with a Stripe Connect transfer, once. */
describe('CPO payouts when a statement closes', () => {
  let stripe: FakeStripe;
  let net: TestNetwork;

  beforeAll(async () => {
    stripe = await startFakeStripe({ connectedAccounts: ['acct_1BECpayouts'] });
    net = await startNetwork({ cpos: ['BE/BEC'], emsps: ['DE/TNM'], agreements: 'all', hub: { env: stripe.env } });
  });
  afterAll(async () => {
    await net.close();
    await stripe.close();
  });

  it('transfers the statement\'s gross total to the CPO\'s account with the statement as transfer_group', async () => {
    const { hub, parties } = net;
    expect((await hub.admin.put(`/admin/parties/${parties.BEC.id}/payout-account`, { stripe_account: 'acct_1BECpayouts' })).status).toBe(200);
    const cdr = { ...example<Record<string, unknown>>('cdr_example.json'), id: 'PAYOUT-1', end_date_time: '2024-05-10T12:00:00Z', last_updated: '2024-05-10T12:00:00Z' };
    expect((await parties.BEC.ocpi.post('/receiver/cdrs', cdr)).data.status_code).toBe(1000);

    const run = await hub.admin.post('/admin/settlement/runs', { period: '2024-05' });
    expect(run.status).toBe(201);
    const statementId = run.data.statements[0].id as string;
    const closed = await hub.admin.post(`/admin/settlement/statements/${statementId}/close`);
    expect(closed.status).toBe(200);

    const transfers = [...stripe.server.transfers.values()].filter((t) => t.transfer_group === statementId);
    // cdr_example.json: total_cost 4.00 excl. / 4.40 incl. VAT → 440 cents.
    expect(transfers).toEqual([expect.objectContaining({ amount: 440, currency: 'eur', destination: 'acct_1BECpayouts' })]);
    // Closing again changes nothing and pays nothing twice.
    await hub.admin.post(`/admin/settlement/statements/${statementId}/close`);
    expect([...stripe.server.transfers.values()].filter((t) => t.transfer_group === statementId)).toHaveLength(1);
  });
});
