import { type FakeStripe, startFakeStripe } from '../../support/fake-stripe';
import { startTestHub, type TestHub } from '../../support/test-hub';

describe('CPO payouts: one Stripe Connect transfer per settlement statement', () => {
  let stripe: FakeStripe;
  let hub: TestHub;
  let partyUuid: string;
  const payments = () => hub.services.payments;
  const transfersOf = (group: string) => [...stripe.server.transfers.values()].filter((t) => t.transfer_group === group);

  beforeAll(async () => {
    stripe = await startFakeStripe({ connectedAccounts: ['acct_1CPOnorth'] });
    hub = await startTestHub({ env: stripe.env });
    const party = await hub.admin.post('/admin/parties', { country_code: 'DE', party_id: 'CPN', roles: ['CPO'], name: 'CPO North' });
    expect(party.status).toBe(201);
    partyUuid = party.data.party.id;
  });
  afterAll(async () => {
    await stripe.close();
    await hub.close();
  });

  it('keeps a party\'s payout account (admin API), refusing bad ids and unknown parties', async () => {
    expect((await hub.admin.get(`/admin/parties/${partyUuid}/payout-account`)).status).toBe(404);
    const put = await hub.admin.put(`/admin/parties/${partyUuid}/payout-account`, { stripe_account: 'acct_1CPOnorth' });
    expect(put.status).toBe(200);
    expect(put.data).toEqual({ party_id: partyUuid, stripe_account: 'acct_1CPOnorth' });
    expect((await hub.admin.get(`/admin/parties/${partyUuid}/payout-account`)).data).toEqual({ party_id: partyUuid, stripe_account: 'acct_1CPOnorth' });
    expect(await payments().payoutAccountFor({ countryCode: 'DE', partyId: 'CPN' })).toBe('acct_1CPOnorth');
    expect(await payments().payoutAccountFor({ countryCode: 'DE', partyId: 'XXX' })).toBeUndefined();

    const refusals: [Promise<{ status: number; data: { error: { message: string } } }>, number, RegExp][] = [
      [hub.admin.put(`/admin/parties/${partyUuid}/payout-account`, { stripe_account: 'ba_123' }), 400, /stripe_account: must be a Stripe Connect account id/],
      [hub.admin.put(`/admin/parties/${partyUuid}/payout-account`, { stripe_account: 'acct_1CPOnorth', extra: 1 }), 400, /extra/],
      [hub.admin.put(`/admin/parties/${partyUuid}/payout-account`, {}), 400, /stripe_account/],
      [hub.admin.put('/admin/parties/00000000-0000-4000-8000-000000000000/payout-account', { stripe_account: 'acct_1' }), 404, /No party/],
      [hub.admin.put('/admin/parties/nope/payout-account', { stripe_account: 'acct_1' }), 404, /No party/],
      [hub.admin.get('/admin/parties/00000000-0000-4000-8000-000000000000/payout-account'), 404, /No party/],
      [hub.admin.delete('/admin/parties/00000000-0000-4000-8000-000000000000/payout-account'), 404, /No party/],
    ];
    for (const [answer, status, message] of refusals) {
      const { status: actual, data } = await answer;
      expect({ actual, message: data.error.message }).toEqual({ actual: status, message: expect.stringMatching(message) });
    }
    expect((await hub.admin.get(`/admin/parties/${partyUuid}/payout-account`)).data.stripe_account).toBe('acct_1CPOnorth');
    expect((await hub.admin.delete(`/admin/parties/${partyUuid}/payout-account`)).status).toBe(204);
    expect((await hub.admin.get(`/admin/parties/${partyUuid}/payout-account`)).status).toBe(404);
  });

  it('pays a statement once, however often it is paid', async () => {
    const statement = { statementId: 'stmt-2026-10-DE-CPN-v1', destinationAccount: 'acct_1CPOnorth', amount: '1234.56', currency: 'EUR' };
    const first = await payments().payStatement(statement);
    expect(first).toEqual({ ...statement, amount: '1234.56', stripeTransferId: expect.stringMatching(/^tr_/) });
    const [again, concurrent] = await Promise.all([payments().payStatement(statement), payments().payStatement({ ...statement, amount: 1234.56 })]);
    expect(again).toEqual(first);
    expect(concurrent).toEqual(first);
    expect(transfersOf('stmt-2026-10-DE-CPN-v1')).toEqual([
      expect.objectContaining({ amount: 123456, currency: 'eur', destination: 'acct_1CPOnorth', metadata: { statement_id: 'stmt-2026-10-DE-CPN-v1' } }),
    ]);
    expect(stripe.server.requests.find((r) => r.path === '/v1/transfers')?.idempotencyKey).toBe('ocpi-hub/statement/stmt-2026-10-DE-CPN-v1/transfer');

    await expect(payments().payStatement({ ...statement, amount: '1234.57' })).rejects.toThrow(/is paid as 1234.56 EUR to acct_1CPOnorth/);
    await expect(payments().payStatement({ ...statement, destinationAccount: 'acct_other' })).rejects.toThrow(/is paid as/);
    expect(transfersOf('stmt-2026-10-DE-CPN-v1')).toHaveLength(1);
  });

  it('records a payout Stripe refused, and completes it with one transfer once the account exists', async () => {
    const statement = { statementId: 'stmt-2026-10-DE-CPS-v1', destinationAccount: 'acct_1CPOsouth', amount: 99.9, currency: 'EUR' };
    await expect(payments().payStatement(statement)).rejects.toThrow(/Stripe refused to transfer the payout: No such destination: 'acct_1CPOsouth'/);
    expect(transfersOf(statement.statementId)).toHaveLength(0);
    stripe.server.addConnectedAccount('acct_1CPOsouth');
    expect(await payments().payStatement(statement)).toMatchObject({ amount: '99.90', stripeTransferId: expect.stringMatching(/^tr_/) });
    expect(await payments().payStatement(statement)).toMatchObject({ amount: '99.90' });
    expect(transfersOf(statement.statementId)).toHaveLength(1);
  });

  it('refuses what cannot be a payout, storing nothing', async () => {
    const before = (await hub.services.db.query(`SELECT count(*)::int AS n FROM payouts`))[0].n;
    const base = { statementId: 'stmt-bad', destinationAccount: 'acct_1CPOnorth', amount: '10.00', currency: 'EUR' };
    await expect(payments().payStatement({ ...base, amount: 0 })).rejects.toThrow(/a payout must be more than 0/);
    await expect(payments().payStatement({ ...base, amount: '-3.00' })).rejects.toThrow(/a payout must be more than 0/);
    await expect(payments().payStatement({ ...base, amount: 'ten' })).rejects.toThrow(/amount: ten is not an amount of money/);
    await expect(payments().payStatement({ ...base, currency: 'EURO' })).rejects.toThrow(/currency: EURO is not an ISO 4217 code/);
    await expect(payments().payStatement({ ...base, destinationAccount: 'DE89370400440532013000' })).rejects.toThrow(/not a Stripe account id/);
    await expect(payments().payStatement({ ...base, statementId: '' })).rejects.toThrow(/statementId/);
    expect((await hub.services.db.query(`SELECT count(*)::int AS n FROM payouts`))[0].n).toBe(before);
  });
});
