import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { cdrLocation, type CdrToken } from '../../core/charging/ocpi-records';
import { unusedBookingCdr } from '../../core/charging/reservation-cdr';
import { Cdr } from '../../hub/modules/cdrs/cdrs.schema';
import type { CdrsService } from '../../hub/modules/cdrs/cdrs.service';
import type { LocationsService } from '../../hub/modules/locations/locations.service';
import type { TokensService } from '../../hub/modules/tokens/tokens.service';
import type { RoleAddress } from '../../hub/ocpi/party-address';
import type { TransactionsService } from '../charging/transactions.service';
import type { OwnBooking } from './own-bookings';

/**
 * No-show and late-cancellation fees: an unused booking (NO_SHOW, or CANCELED after the free
 * cancellation deadline) is priced by the pricing engine under its connector's tariff for the token's
 * eMSP (its reservation elements; core/charging/reservation-cdr.ts) into a CDR for the booking's token,
 * sent to the eMSP through the normal CDR path (CdrsService.createOnce), which settlement reads like
 * any other CDR. Charged once, at the no-show deadline; the CDR id is `booking-<id>`.
 */
export class BookingFees {
  constructor(
    private readonly deps: {
      db: DataSource;
      log: Logger;
      locations: LocationsService;
      tokens: TokensService;
      cdrs: CdrsService;
      transactions: Pick<TransactionsService, 'sessionTariffOf'>;
      ownCpo: RoleAddress;
    },
  ) {}

  /** Whether an unused booking is to be charged: a no-show, or a late cancellation (never one cancelled in time). */
  static chargeable(booking: OwnBooking): boolean {
    return booking.status === 'NO_SHOW' || (booking.status === 'CANCELED' && booking.canceled?.late === true);
  }

  /** Charges a chargeable booking once; answers the CDR id, or '' when it costs nothing (recorded, never tried again). */
  async charge(booking: OwnBooking, now: Date): Promise<string> {
    const cdrId = await this.cdrOf(booking, now).then(async (cdr) => {
      if (!cdr) return '';
      const checked = Cdr.safeParse(cdr);
      if (!checked.success) throw new Error(`the fee CDR of booking ${booking.id} is invalid: ${checked.error.issues.slice(0, 5).map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
      return (await this.deps.cdrs.createOnce(this.deps.ownCpo, checked.data)).id;
    });
    await this.deps.db.query(`UPDATE own_bookings SET fee_cdr_id = $2 WHERE id = $1 AND fee_cdr_id IS NULL`, [booking.id, cdrId]);
    return cdrId;
  }

  private async cdrOf(booking: OwnBooking, now: Date): Promise<Record<string, unknown> | undefined> {
    if (!BookingFees.chargeable(booking) || !booking.idToken) return undefined;
    const cdrToken = await this.tokenOf(booking);
    if (!cdrToken) {
      this.deps.log.warn({ booking: booking.id }, 'no fee for an unused booking: its token is not held from any eMSP');
      return undefined;
    }
    const location = await this.deps.locations.storedOf(this.deps.ownCpo, booking.locationId);
    // The booked EVSE; a capacity booking: the location's first EVSE whose connector names a tariff.
    const evse = location?.evses?.find((e) => (booking.evseUid ? e.uid === booking.evseUid : e.connectors.some((c) => c.tariff_ids?.length)));
    const connector = evse?.connectors.find((c) => c.tariff_ids?.length) ?? evse?.connectors[0];
    if (!location || !evse || !connector) return undefined;
    const tariff = await this.deps.transactions.sessionTariffOf(connector.tariff_ids, cdrToken);
    const place = cdrLocation(location, evse.uid, connector.id);
    if (!tariff || !place) return undefined;
    return unusedBookingCdr({
      owner: this.deps.ownCpo,
      cdrId: `booking-${booking.id}`.slice(0, 36),
      cdrToken,
      authorizationReference: booking.requester.authorization_reference,
      reservedFrom: booking.from,
      reservedUntil: booking.noShowAt,
      tariff,
      timeZone: location.time_zone,
      location: place,
      lastUpdated: now,
    });
  }

  /** The booking's token as its eMSP pushed it (the requester's, when an eMSP booked). */
  private async tokenOf(booking: OwnBooking): Promise<CdrToken | undefined> {
    const held = await this.deps.tokens.heldFor(this.deps.ownCpo, booking.idToken!);
    const { country_code, party_id } = booking.requester;
    const found = held.find((h) => !country_code || (h.owner.countryCode === country_code.toUpperCase() && h.owner.partyId === party_id?.toUpperCase())) ?? held[0];
    if (!found) return undefined;
    const { token } = found;
    return { country_code: token.country_code, party_id: token.party_id, uid: token.uid, type: token.type, contract_id: token.contract_id };
  }
}
