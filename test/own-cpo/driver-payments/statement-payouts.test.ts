import { retryDuePayouts } from '../../../src/own-cpo/driver-payments/statement-payouts';
import { type FakeStripe, startFakeStripe } from '../../support/fake-stripe';
import { example, startNetwork, type TestNetwork } from '../../support/network';

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

  // The same session in yen and in dinars: the tariff prices 2 h of TIME; the CDR states what the hub computes.
  it.each([
    ['JPY', '2024-06', 2000, { excl_vat: 4000, incl_vat: 4400 }, 4400], // whole yen
    ['KWD', '2024-07', 2.1235, { excl_vat: 4.247, incl_vat: 4.672 }, 4672], // fils: 4.6717 rounded half up
  ])('pays a %s statement in its minor units', async (currency, period, price, totalCost, amount) => {
    const { hub, parties } = net;
    const base = example<Record<string, any>>('cdr_example.json');
    const tariff = { ...base.tariffs[0], id: `T-${currency}`, currency, elements: [{ price_components: [{ type: 'TIME', price, vat: 10, step_size: 300 }] }] };
    const cdr = {
      ...base, id: `PAYOUT-${currency}`, currency, tariffs: [tariff], total_cost: totalCost, total_time_cost: totalCost,
      charging_periods: base.charging_periods.map((p: Record<string, unknown>) => ({ ...p, tariff_id: tariff.id })),
      end_date_time: `${period}-10T12:00:00Z`, last_updated: `${period}-10T12:00:00Z`,
    };
    expect((await parties.BEC.ocpi.post('/receiver/cdrs', cdr)).data.status_code).toBe(1000);
    const run = await hub.admin.post('/admin/settlement/runs', { period });
    // The hub re-rates in the tariff's currency: its cost agrees (only total_time differs, as the example moved in time).
    const { mismatches } = (await hub.admin.get(`/admin/settlement/statements/${run.data.statements[0].id}/lines`)).data;
    expect(mismatches.flatMap((m: { differences: { field: string }[] }) => m.differences.map((d) => d.field))).toEqual(['total_time']);
    const statement = (await hub.admin.get(`/admin/settlement/statements/${run.data.statements[0].id}`)).data.statement;
    expect(statement).toMatchObject({ currency, totals: { gross: String(totalCost.incl_vat) } });
    expect((await hub.admin.post(`/admin/settlement/statements/${statement.id}/close`)).status).toBe(200);
    const transfers = [...stripe.server.transfers.values()].filter((t) => t.transfer_group === statement.id);
    expect(transfers).toEqual([expect.objectContaining({ amount, currency: currency.toLowerCase(), destination: 'acct_1BECpayouts' })]);
  });

  it('retries a payout Stripe refused when the statement closed, shows its state, and lets the operator hold and release it', async () => {
    const { hub, parties } = net;
    const services = hub.services;
    // The CPO's account is not connected at Stripe yet: the transfer is refused ("No such destination").
    expect((await hub.admin.put(`/admin/parties/${parties.BEC.id}/payout-account`, { stripe_account: 'acct_1BEClater' })).status).toBe(200);
    const cdr = { ...example<Record<string, unknown>>('cdr_example.json'), id: 'PAYOUT-RETRY', end_date_time: '2024-09-10T12:00:00Z', last_updated: '2024-09-10T12:00:00Z' };
    expect((await parties.BEC.ocpi.post('/receiver/cdrs', cdr)).data.status_code).toBe(1000);
    const statementId = (await hub.admin.post('/admin/settlement/runs', { period: '2024-09' })).data.statements[0].id as string;
    expect((await hub.admin.post(`/admin/settlement/statements/${statementId}/close`)).status).toBe(200);
    const transfersOf = () => [...stripe.server.transfers.values()].filter((t) => t.transfer_group === statementId);
    expect(transfersOf()).toHaveLength(0);

    const failed = (await hub.admin.get(`/admin/payouts/${statementId}`)).data;
    expect(failed).toMatchObject({ statement_id: statementId, status: 'retrying', attempts: 1, amount: 440, currency: 'EUR', stripe_transfer_id: null });
    expect(failed.last_error).toMatch(/Stripe refused to transfer the payout/);
    expect(Date.parse(failed.next_attempt_at)).toBeGreaterThan(Date.now());
    // Not due yet: the job leaves it.
    expect(await retryDuePayouts(services)).toEqual({ paid: 0, failed: 0 });

    // The operator holds it: listed as held, never retried.
    expect((await hub.admin.post(`/admin/payouts/${statementId}/hold`)).data.status).toBe('held');
    expect((await hub.admin.get('/admin/payouts', { params: { status: 'held' } })).data.map((p: { statement_id: string }) => p.statement_id)).toEqual([statementId]);
    await services.db.query(`UPDATE payouts SET next_attempt_at = now() - interval '1 second' WHERE statement_id = $1`, [statementId]);
    expect(await retryDuePayouts(services)).toEqual({ paid: 0, failed: 0 });

    // Released while Stripe still refuses: one more attempt, failed and counted.
    expect((await hub.admin.post(`/admin/payouts/${statementId}/release`)).data).toMatchObject({ status: 'retrying', held_at: null });
    expect(await retryDuePayouts(services)).toEqual({ paid: 0, failed: 1 });
    expect((await hub.admin.get(`/admin/payouts/${statementId}`)).data.attempts).toBe(2);

    // The account is connected now; the operator asks for a retry at once, and the job pays it, once.
    stripe.server.addConnectedAccount('acct_1BEClater');
    expect((await hub.admin.post(`/admin/payouts/${statementId}/retry`)).status).toBe(200);
    expect(await retryDuePayouts(services)).toEqual({ paid: 1, failed: 0 });
    expect(await retryDuePayouts(services)).toEqual({ paid: 0, failed: 0 });
    expect(transfersOf()).toEqual([expect.objectContaining({ amount: 440, currency: 'eur', destination: 'acct_1BEClater' })]);
    const paid = (await hub.admin.get(`/admin/payouts/${statementId}`)).data;
    expect(paid).toMatchObject({ status: 'paid', attempts: 2, stripe_transfer_id: transfersOf()[0].id });
    expect((await hub.admin.post(`/admin/payouts/${statementId}/hold`)).status).toBe(409);
    expect((await hub.admin.post(`/admin/payouts/${statementId}/cancel`)).status).toBe(404);
    expect((await hub.admin.get('/admin/payouts/not-a-uuid')).status).toBe(404);
    expect((await hub.admin.get('/admin/payouts', { params: { status: 'lost' } })).status).toBe(400);
  });
});
