import { playbookDecision, type PlaybookInput } from '../../../src/core/reliability/reliability-core';

const NOW = Date.UTC(2026, 5, 1, 12);
const M = 60_000;
const base = (over: Partial<PlaybookInput> = {}): PlaybookInput => ({
  trigger: 'charger_offline', now: NOW, enabled: true, maxPerDay: 3, connected: true, activeConnectors: [], history: [], ...over,
});

describe('playbook decisions: soft then hard reset, Inoperative for a failing connector, never during a transaction, at most N a day', () => {
  it('does nothing for a site that did not opt in, or a charger that is not connected', () => {
    expect(playbookDecision(base({ enabled: false }))).toMatchObject({ act: null, reason: expect.stringMatching(/not enabled/) });
    expect(playbookDecision(base({ connected: false }))).toMatchObject({ act: null, reason: expect.stringMatching(/not connected/) });
  });

  it('resets soft first, waits 30 minutes, then hard, then hands over to the operator', () => {
    expect(playbookDecision(base())).toMatchObject({ act: 'soft_reset' });
    expect(playbookDecision(base({ history: [{ action: 'soft_reset', at: NOW - 10 * M }] }))).toMatchObject({ act: null, reason: expect.stringMatching(/less than 30 minutes/) });
    expect(playbookDecision(base({ history: [{ action: 'soft_reset', at: NOW - 31 * M }] }))).toMatchObject({ act: 'hard_reset' });
    expect(playbookDecision(base({ history: [{ action: 'soft_reset', at: NOW - 90 * M }, { action: 'hard_reset', at: NOW - 40 * M }] }))).toMatchObject({ act: null, reason: expect.stringMatching(/operator/) });
    // A soft reset more than a day ago does not count: soft first again.
    expect(playbookDecision(base({ history: [{ action: 'soft_reset', at: NOW - 25 * 60 * M }] }))).toMatchObject({ act: 'soft_reset' });
  });

  it('never resets during a transaction, nor makes a charging connector Inoperative', () => {
    expect(playbookDecision(base({ activeConnectors: ['2'] }))).toMatchObject({ act: null, reason: expect.stringMatching(/no reset during a transaction/) });
    expect(playbookDecision(base({ trigger: 'available_while_failing', ocppConnector: '1', activeConnectors: ['1'] }))).toMatchObject({ act: null });
    // Another connector charging does not stop the failing one from being taken out.
    expect(playbookDecision(base({ trigger: 'available_while_failing', ocppConnector: '1', activeConnectors: ['2'] }))).toEqual({ act: 'inoperative', ocppConnector: '1', reason: expect.any(String) });
  });

  it('takes a connector out once a day, and stops at the daily limit whatever the trigger', () => {
    const once = [{ action: 'inoperative' as const, at: NOW - 60 * M, ocppConnector: '1/1' }];
    expect(playbookDecision(base({ trigger: 'success_rate_low', ocppConnector: '1/1', history: once }))).toMatchObject({ act: null, reason: expect.stringMatching(/already/) });
    expect(playbookDecision(base({ trigger: 'success_rate_low', ocppConnector: '2/1', history: once }))).toMatchObject({ act: 'inoperative', ocppConnector: '2/1' });
    const three = [1, 2, 3].map((i) => ({ action: 'inoperative' as const, at: NOW - i * 60 * M, ocppConnector: String(i + 5) }));
    expect(playbookDecision(base({ history: three }))).toMatchObject({ act: null, reason: expect.stringMatching(/limit is 3/) });
    expect(playbookDecision(base({ history: three, maxPerDay: 4 }))).toMatchObject({ act: 'soft_reset' });
  });
});
