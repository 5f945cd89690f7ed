import type { Logger } from 'pino';
import { mapCdrTotals } from '../../core/pricing/pricing-core';
import { HubError } from '../../foundation/hub-errors';
import type { Cdr } from '../../hub/modules/cdrs/cdrs.schema';
import type { CdrsService } from '../../hub/modules/cdrs/cdrs.service';
import type { PaymentsService } from '../driver-payments/payments.service';
import type { RoleAddress } from '../../hub/ocpi/party-address';

const negate = (n: number) => (n === 0 ? 0 : -n);

/**
 * The credit CDR that cancels one of the own CPO's CDRs (mod_cdrs, Credit CDRs): "a Credit CDR … has
 * the field credit set to true, … all costs negative, … references the original CDR". The CPO revises
 * a disputed or wrong CDR this way; a corrected CDR, if any, is a new session's CDR.
 */
export function creditCdrOf(original: Cdr, now: Date): Cdr {
  // Quantities are negated too, so that original + credit sum to nothing in settlement.
  return {
    ...mapCdrTotals(original, negate),
    id: `${original.id}-C`,
    credit: true,
    credit_reference_id: original.id,
    last_updated: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
  };
}

/**
 * Issues credit CDRs for the own CPO: to the eMSP like any CDR, or, for an ad hoc driver, kept at the
 * hub with the payment refunded.
 */
export class OwnCreditCdrs {
  constructor(private readonly deps: { cdrs: CdrsService; payments: PaymentsService; ownCpo: RoleAddress; log: Logger }) {}

  async credit(cdrId: string): Promise<Cdr> {
    const { cdrs, ownCpo } = this.deps;
    const original = await cdrs.storedOf(ownCpo, cdrId);
    if (!original) throw new HubError('not_found', `The own CPO has no CDR ${cdrId}`);
    if (original.credit) throw new HubError('invalid', `CDR ${cdrId} is itself a credit CDR`);
    const credit = creditCdrOf(original, new Date());
    if (await cdrs.storedOf(ownCpo, credit.id)) throw new HubError('conflict', `CDR ${cdrId} was already credited (${credit.id})`);
    const token = original.cdr_token;
    if (token.country_code === ownCpo.countryCode && token.party_id === ownCpo.partyId) {
      await cdrs.keepUndelivered(ownCpo, credit);
      if (this.deps.payments.enabled && token.type === 'AD_HOC_USER') {
        await this.deps.payments.refundCredit(token.uid, { creditCdrId: credit.id, amount: String(credit.total_cost.incl_vat ?? credit.total_cost.excl_vat) });
      }
    } else {
      await cdrs.create(ownCpo, undefined, credit);
    }
    this.deps.log.info({ cdr: cdrId, credit: credit.id }, 'credit CDR issued');
    return credit;
  }
}
