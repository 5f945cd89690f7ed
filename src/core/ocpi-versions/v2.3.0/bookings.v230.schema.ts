import { z } from 'zod';
import { CiStringV230, CountryCodeV230, DateTimeV230, NumberV230, OpenEnumV230, PartyIdV230, RoleV230, StringV230 } from './types.v230.schema';

/**
 * The Bookings module (OCPI tag v2.3.0-bookings, "2.3.0-booking-1.0", mod_bookings.asciidoc): Booking,
 * BookingRequest, BookingLocation with its Calendars. "Data owner: CPO". It has no 2.2.1 counterpart,
 * so its objects stay in 2.3.0 form; the hub routes them in src/hub/modules/bookings/.
 *
 * The schemas follow the text's tables, not its examples, which disagree with them in places (numbers
 * for CiString ids, `booking_token` for `booking_tokens`, `calenders`, `timeslot` for `period`,
 * `green_power_support` for `green_energy_support`, times like 23:59:99): objects stay loose, so
 * extra fields pass through as sent.
 */

export const RESERVATION_STATUSES_V230 = ['PENDING', 'RESERVED', 'CANCELED', 'FAILED', 'NO_SHOW', 'FULFILLED', 'REJECTED', 'UNKNOWN'] as const;
export const REQUEST_STATUSES_V230 = ['PENDING', 'ACCEPTED', 'DECLINED', 'FAILED'] as const;
export const CANCELED_REASONS_V230 = ['POWER_OUTAGE', 'BROKEN_CHARGER', 'FULL', 'BLOCKED', 'TRAFFIC', 'BROKEN_VEHICLE', 'NO_CANCELED', 'UNKNOWN'] as const;
export const LOCATION_ACCESS_V230 = ['OPEN', 'TOKEN', 'LICENSE_PLATE', 'ACCESS_CODE', 'INTERCOM', 'PARKING_TICKET'] as const;

/** Timeslot class: power in W. */
export const TimeslotV230 = z.looseObject({
  start_from: DateTimeV230,
  end_before: DateTimeV230,
  min_power: NumberV230.min(0).optional(),
  max_power: NumberV230.min(0).optional(),
  green_energy_support: z.boolean().optional(),
});

export const BookingTokenV230 = z.looseObject({
  country_code: CountryCodeV230,
  party_id: PartyIdV230,
  uid: CiStringV230(36),
  type: OpenEnumV230,
  contract_id: CiStringV230(36),
});

export const CancellationV230 = z.looseObject({ cancellation_reason: z.enum(CANCELED_REASONS_V230), who_canceled: RoleV230 });

export const AccessMethodV230 = z.looseObject({ location_access: z.enum(LOCATION_ACCESS_V230), value: StringV230(255).optional() });

export const BookingTermsV230 = z.looseObject({
  RFID_auth_required: z.boolean().optional(),
  token_groups_supported: z.boolean().optional(),
  remote_auth_supported: z.boolean().optional(),
  supported_access_methods: z.array(z.enum(LOCATION_ACCESS_V230)).min(1),
  change_until_minutes: NumberV230,
  cancel_until_minutes: NumberV230,
  change_not_allowed: z.boolean().optional(),
  early_start_allowed: z.boolean().optional(),
  early_start_time: NumberV230.optional(),
  noshow_timeout: NumberV230.optional(),
  noshow_fee: z.boolean().optional(),
  late_stop_allowed: z.boolean().optional(),
  late_stop_time: NumberV230.optional(),
  overlapping_bookings_allowed: z.boolean().optional(),
  booking_terms: StringV230(255).optional(),
});

/** BookableParkingOptions class (only its required fields are checked; the rest passes as sent). */
export const BookableParkingOptionV230 = z.looseObject({ vehicle_types: z.array(OpenEnumV230).min(1), format: OpenEnumV230, restricted_to_type: z.boolean() });

/** BookingRequest class: what an eMSP POSTs to the CPO's Sender interface (and again, same request_id, to change or cancel). */
export const BookingRequestV230 = z.looseObject({
  country_code: CountryCodeV230,
  party_id: PartyIdV230,
  request_id: CiStringV230(36),
  bookable_parking_option: BookableParkingOptionV230.optional(),
  location_id: CiStringV230(36),
  evse_uid: CiStringV230(36).optional(),
  connector_id: CiStringV230(36).optional(),
  tokens: z.array(BookingTokenV230).optional(),
  period: TimeslotV230,
  authorization_reference: CiStringV230(36),
  /** kW (the text: "The power requested for the reservation in kW"). */
  power_required: NumberV230.min(0).optional(),
  canceled: CancellationV230.optional(),
});
export type BookingRequestV230 = z.infer<typeof BookingRequestV230>;

export const BookingRequestStatusV230 = z.looseObject({
  request_status: z.enum(REQUEST_STATUSES_V230),
  booking_request: BookingRequestV230,
  request_received: DateTimeV230,
});

/** Booking object: owned by the CPO (country_code/party_id are the CPO's). */
export const BookingV230 = z.looseObject({
  id: CiStringV230(36),
  country_code: CountryCodeV230,
  party_id: PartyIdV230,
  request_id: CiStringV230(36),
  bookable_parking_option: BookableParkingOptionV230.optional(),
  parking_id: CiStringV230(36).optional(),
  location_id: CiStringV230(36),
  evse_uid: CiStringV230(36).optional(),
  connector_id: CiStringV230(36).optional(),
  booking_tokens: z.array(BookingTokenV230).optional(),
  tariff_id: z.array(CiStringV230(36)).optional(),
  period: TimeslotV230,
  reservation_status: z.enum(RESERVATION_STATUSES_V230),
  canceled: CancellationV230.optional(),
  access_methods: z.array(AccessMethodV230).optional(),
  authorization_reference: CiStringV230(36),
  booking_terms: BookingTermsV230,
  booking_requests: z.array(BookingRequestStatusV230).min(1),
  last_updated: DateTimeV230,
});
export type BookingV230 = z.infer<typeof BookingV230>;

/** PATCH of a Booking: some fields, last_updated always ("Any request to the PATCH method SHALL contain the last_updated field"). */
export const BookingPatchV230 = BookingV230.partial().required({ last_updated: true });

export const CalendarV230 = z.looseObject({
  id: CiStringV230(36),
  begin_from: DateTimeV230,
  end_before: DateTimeV230,
  step_size: z.number().int().min(0).optional(),
  available_timeslots: z.array(TimeslotV230).min(1),
  last_updated: DateTimeV230,
});
export type CalendarV230 = z.infer<typeof CalendarV230>;
export const CalendarPatchV230 = CalendarV230.partial().required({ last_updated: true });

/** BookingLocation object: "Each bookingLocation should include either the bookable_parking_option or the evse_uid." */
export const BookingLocationV230 = z
  .looseObject({
    country_code: CountryCodeV230,
    party_id: PartyIdV230,
    id: CiStringV230(36),
    location_id: CiStringV230(36),
    evse_uid: CiStringV230(36).optional(),
    connector_id: CiStringV230(36).optional(),
    bookable_parking_options: z.array(BookableParkingOptionV230).optional(),
    bookable: z.looseObject({ reservation_required: z.boolean(), ad_hoc: NumberV230.optional() }).optional(),
    tariff_id: z.array(CiStringV230(36)).optional(),
    booking_terms: z.array(BookingTermsV230).optional(),
    calendars: z.array(CalendarV230).optional(),
    last_updated: DateTimeV230,
  })
  .refine((b) => b.evse_uid !== undefined || (b.bookable_parking_options?.length ?? 0) > 0, 'a BookingLocation needs evse_uid or bookable_parking_options');
export type BookingLocationV230 = z.infer<typeof BookingLocationV230>;
export const BookingLocationPatchV230 = z
  .looseObject({ last_updated: DateTimeV230 })
  .catchall(z.unknown());
