import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { BookingRequestV230, BookingV230 } from '../../core/ocpi-versions/v2.3.0/bookings.v230.schema';
import { HubError } from '../../foundation/hub-errors';
import type { BookingsService, InProcessBookingsCpo } from '../../hub/modules/bookings/bookings.service';
import { OcpiError, OcpiStatus, ocpiErrors } from '../../hub/ocpi/ocpi-errors';
import type { RoleAddress } from '../../hub/ocpi/party-address';
import type { OwnBooking, OwnBookings, OwnBookingsConfig } from './own-bookings';

/** Power held when a BookingRequest gives neither power_required nor period.max_power: a common AC charge point, W. */
export const DEFAULT_BOOKING_POWER_W = 11_000;

const iso = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * The own CPO's side of the OCPI Bookings module: a BookingRequest from an eMSP is decided in-process
 * by the own bookings (capacity, overlaps, opening hours), answered as a Booking (RESERVED, or REJECTED
 * with the reasons in the status message), and every later change (NO_SHOW, FULFILLED, CANCELED) is
 * pushed to the eMSP that booked.
 */
export class OwnBookingsOcpi implements InProcessBookingsCpo {
  constructor(
    private readonly deps: { ownBookings: OwnBookings; bookings: BookingsService; cpo: RoleAddress; config: OwnBookingsConfig; log: Logger },
  ) {}

  get cpo(): RoleAddress {
    return this.deps.cpo;
  }

  async request(emsp: RoleAddress, request: BookingRequestV230): Promise<{ booking: BookingV230; message?: string }> {
    const receivedAt = new Date();
    const existing = await this.deps.ownBookings.byRequest({ country_code: emsp.countryCode, party_id: emsp.partyId }, request.request_id);
    if (request.canceled) {
      if (!existing) throw ocpiErrors.invalidParameters(`No booking with request_id ${request.request_id} to cancel`);
      const canceled = await this.deps.ownBookings.cancel(existing.id, { reason: request.canceled.cancellation_reason, who: 'EMSP' }).catch(this.asOcpi);
      return { booking: this.bookingOf(canceled, [{ request, status: 'ACCEPTED', at: receivedAt }]) };
    }
    if (existing) {
      // change_not_allowed in our terms: a change is declined, the booking stays as it is.
      const message =
        existing.status === 'RESERVED'
          ? 'Changes are not supported: cancel the booking and book again with a new request_id'
          : `The booking of request_id ${request.request_id} is ${existing.status}: book again with a new request_id`;
      return { booking: this.bookingOf(existing, [{ request, status: 'DECLINED', at: receivedAt }]), message };
    }
    const powerW = request.power_required !== undefined ? request.power_required * 1000 : request.period.max_power ?? DEFAULT_BOOKING_POWER_W;
    const token = request.tokens?.[0];
    const outcome = await this.deps.ownBookings
      .book({
        locationId: request.location_id,
        ...(request.evse_uid && { evseUid: request.evse_uid }),
        from: new Date(request.period.start_from),
        until: new Date(request.period.end_before),
        powerW,
        ...(token && { idToken: token.uid }),
        requester: {
          country_code: emsp.countryCode,
          party_id: emsp.partyId,
          request_id: request.request_id,
          authorization_reference: request.authorization_reference,
          request,
          received_at: receivedAt.toISOString(),
        },
      })
      .catch(this.asOcpi);
    if (outcome.accepted) return { booking: this.bookingOf(outcome.booking) };
    // Refused: never stored here; the eMSP gets a REJECTED Booking it can keep, and why.
    const rejected: BookingV230 = {
      id: randomUUID(),
      country_code: this.deps.cpo.countryCode,
      party_id: this.deps.cpo.partyId,
      request_id: request.request_id,
      location_id: request.location_id,
      ...(request.evse_uid && { evse_uid: request.evse_uid }),
      ...(request.tokens && { booking_tokens: request.tokens }),
      period: request.period,
      reservation_status: 'REJECTED',
      authorization_reference: request.authorization_reference,
      booking_terms: this.terms(request.evse_uid !== undefined),
      booking_requests: [{ request_status: 'DECLINED', booking_request: request, request_received: iso(receivedAt) }],
      last_updated: iso(receivedAt),
    };
    return { booking: rejected, message: outcome.message };
  }

  /** A booking changed (services.ts subscribes this): an eMSP's booking goes to it as a whole Booking. */
  async changed(booking: OwnBooking): Promise<void> {
    const { country_code, party_id, request_id } = booking.requester;
    if (!country_code || !party_id || !request_id) return;
    await this.deps.bookings.pushInProcess({ countryCode: country_code, partyId: party_id }, this.bookingOf(booking));
  }

  private asOcpi = (error: unknown): never => {
    if (error instanceof HubError && error.kind === 'invalid') throw ocpiErrors.invalidParameters(error.message);
    if (error instanceof HubError && error.kind === 'not_found') throw new OcpiError(OcpiStatus.UNKNOWN_LOCATION, error.message);
    if (error instanceof HubError) throw ocpiErrors.invalidParameters(error.message);
    throw error;
  };

  private terms(evse: boolean): BookingV230['booking_terms'] {
    return {
      RFID_auth_required: false,
      remote_auth_supported: true,
      supported_access_methods: [evse ? 'TOKEN' : 'OPEN'],
      change_until_minutes: 0,
      change_not_allowed: true,
      cancel_until_minutes: this.deps.config.freeCancelMinutes,
      early_start_allowed: false,
      noshow_timeout: this.deps.config.noShowGraceMinutes,
      noshow_fee: false,
      overlapping_bookings_allowed: true,
    };
  }

  /** The OCPI Booking of an own booking (its original request first, then the one answered now, if any). */
  bookingOf(booking: OwnBooking, extra: { request: BookingRequestV230; status: 'ACCEPTED' | 'DECLINED'; at: Date }[] = []): BookingV230 {
    const original = booking.requester.request as BookingRequestV230 | undefined;
    const requests = [
      ...(original ? [{ request_status: 'ACCEPTED' as const, booking_request: original, request_received: booking.requester.received_at ?? iso(booking.createdAt) }] : []),
      ...extra.map((e) => ({ request_status: e.status, booking_request: e.request, request_received: iso(e.at) })),
    ];
    return {
      id: booking.id,
      country_code: this.deps.cpo.countryCode,
      party_id: this.deps.cpo.partyId,
      request_id: booking.requester.request_id ?? booking.id,
      location_id: booking.locationId,
      ...(booking.evseUid && { evse_uid: booking.evseUid }),
      ...(original?.tokens && { booking_tokens: original.tokens }),
      period: { start_from: iso(booking.from), end_before: iso(booking.until), min_power: booking.powerW, max_power: booking.powerW },
      reservation_status: booking.status,
      ...(booking.canceled && {
        canceled: { cancellation_reason: booking.canceled.cancellation_reason as never, who_canceled: booking.canceled.who_canceled as never },
      }),
      authorization_reference: booking.requester.authorization_reference ?? booking.id,
      booking_terms: this.terms(booking.evseUid !== null),
      booking_requests: requests,
      last_updated: iso(booking.updatedAt),
    };
  }
}
