// The Bookings module's schemas (v2.3.0/bookings.v230.schema.ts) against every example of the text
// (tag v2.3.0-bookings, test/fixtures/ocpi-2.3.0-bookings-examples, verbatim). The schemas follow the
// text's tables; where an example disagrees with them, the table below says so and names the fields,
// and the example repaired as the tables say is accepted. A fixture the table does not list fails.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import {
  BookingLocationPatchV230,
  BookingLocationV230,
  BookingPatchV230,
  BookingTokenV230,
  BookingV230,
  CalendarPatchV230,
  TimeslotV230,
} from '../../../src/core/ocpi-versions/v2.3.0/bookings.v230.schema';

const DIR = path.join(__dirname, '../../fixtures/ocpi-2.3.0-bookings-examples');
type Json = Record<string, any>;
const read = (name: string): Json => JSON.parse(readFileSync(path.join(DIR, name), 'utf8'));
const problems = (schema: z.ZodType, value: unknown) => {
  const result = schema.safeParse(value);
  return result.success ? [] : [...new Set(result.error.issues.map((i) => i.path.join('.')))].sort();
};

/** Each example: the schema it is read with and the fields it is refused for ([] = accepted). */
const EXPECTED: Record<string, { schema: z.ZodType; refusedAt: string[]; part?: (example: Json) => unknown }> = {
  // Numbers for CiString ids, an empty parking option, empty access methods, requests without the MSP's country_code/party_id.
  'booking_example.json': {
    schema: BookingV230,
    refusedAt: [
      'bookable_parking_option.format',
      'bookable_parking_option.restricted_to_type',
      'bookable_parking_option.vehicle_types',
      'booking_requests.0.booking_request.country_code',
      'booking_requests.0.booking_request.evse_uid',
      'booking_requests.0.booking_request.location_id',
      'booking_requests.0.booking_request.party_id',
      'booking_requests.1.booking_request.country_code',
      'booking_requests.1.booking_request.evse_uid',
      'booking_requests.1.booking_request.location_id',
      'booking_requests.1.booking_request.party_id',
      'booking_terms.supported_access_methods.0',
      'booking_terms.supported_access_methods.1',
      'evse_uid',
      'location_id',
      'parking_id',
    ],
  },
  // booking_terms is BookingTerms "*" in the table (a list), one object in the example.
  'booking_location_example.json': { schema: BookingLocationV230, refusedAt: ['booking_terms'] },
  'booking_patch_example_status_update.json': { schema: BookingPatchV230, refusedAt: [] },
  'booking_patch_example_evse_uid.json': { schema: BookingPatchV230, refusedAt: [] },
  'booking_location_patch_example_terms.json': { schema: BookingLocationPatchV230, refusedAt: [] },
  // "08:59:99" is no time of day.
  'booking_location_patch_example_calendar.json': { schema: CalendarPatchV230, refusedAt: ['available_timeslots.0.end_before'] },
  // BookingRequests are not PATCHed through the hub (the eMSP POSTs the request again, same request_id): their parts are checked.
  'booking_request_patch_example_timeslot.json': { schema: TimeslotV230, refusedAt: ['end_before'], part: (e) => e.timeslot },
  'booking_request_patch_example_tokens.json': { schema: BookingTokenV230.array(), refusedAt: [], part: (e) => e.tokens },
};

describe('the Bookings schemas against the examples of tag v2.3.0-bookings', () => {
  it('has an expectation for every example file', () => {
    expect(readdirSync(DIR).filter((f) => f.endsWith('.json')).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(Object.entries(EXPECTED))('%s', (name, { schema, refusedAt, part }) => {
    const example = read(name);
    expect(problems(schema, part ? part(example) : example)).toEqual(refusedAt);
  });

  it('accepts the Booking example once repaired as the tables say', () => {
    const example = read('booking_example.json');
    const request = (r: Json) => ({ ...r, country_code: 'NL', party_id: 'INF', location_id: String(r.location_id), evse_uid: String(r.evse_uid) });
    const repaired = {
      ...example,
      bookable_parking_option: undefined,
      parking_id: String(example.parking_id),
      location_id: String(example.location_id),
      evse_uid: String(example.evse_uid),
      booking_tokens: example.booking_token,
      booking_terms: { ...example.booking_terms, supported_access_methods: ['TOKEN'] },
      booking_requests: example.booking_requests.map((r: Json) => ({ ...r, booking_request: request(r.booking_request) })),
    };
    expect(problems(BookingV230, repaired)).toEqual([]);
    expect(BookingV230.parse(repaired).booking_tokens).toHaveLength(1);
  });

  it('accepts the BookingLocation example with its terms as a list, and needs an EVSE or parking options', () => {
    const example = read('booking_location_example.json');
    const repaired = { ...example, booking_terms: [example.booking_terms] };
    expect(problems(BookingLocationV230, repaired)).toEqual([]);
    expect(problems(BookingLocationV230, { ...repaired, evse_uid: undefined, bookable_parking_options: [] })).toEqual(['']);
  });
});
