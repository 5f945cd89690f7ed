import { z } from 'zod';
import {
  BusinessDetails,
  CiString,
  DateTime,
  DisplayText,
  GeoLocation,
  Image,
  ObjectId,
  OcpiString,
  Ownership,
  TokenType,
} from '../../ocpi/ocpi-types';

/** Location, EVSE and Connector (mod_locations.asciidoc). */

// The 2.2.1 enums are closed lists (mod_locations.asciidoc, Data types): a value outside them is refused (2001).
export const ConnectorType = z.enum([
  'CHADEMO', 'CHAOJI', 'DOMESTIC_A', 'DOMESTIC_B', 'DOMESTIC_C', 'DOMESTIC_D', 'DOMESTIC_E', 'DOMESTIC_F', 'DOMESTIC_G', 'DOMESTIC_H',
  'DOMESTIC_I', 'DOMESTIC_J', 'DOMESTIC_K', 'DOMESTIC_L', 'DOMESTIC_M', 'DOMESTIC_N', 'DOMESTIC_O', 'GBT_AC', 'GBT_DC', 'IEC_60309_2_single_16',
  'IEC_60309_2_three_16', 'IEC_60309_2_three_32', 'IEC_60309_2_three_64', 'IEC_62196_T1', 'IEC_62196_T1_COMBO', 'IEC_62196_T2',
  'IEC_62196_T2_COMBO', 'IEC_62196_T3A', 'IEC_62196_T3C', 'NEMA_5_20', 'NEMA_6_30', 'NEMA_6_50', 'NEMA_10_30', 'NEMA_10_50', 'NEMA_14_30',
  'NEMA_14_50', 'TESLA_R', 'TESLA_S',
]);
const Capability = z.enum([
  'CHARGING_PROFILE_CAPABLE', 'CHARGING_PREFERENCES_CAPABLE', 'CHIP_CARD_SUPPORT', 'CONTACTLESS_CARD_SUPPORT', 'CREDIT_CARD_PAYABLE',
  'DEBIT_CARD_PAYABLE', 'PED_TERMINAL', 'REMOTE_START_STOP_CAPABLE', 'RESERVABLE', 'RFID_READER', 'START_SESSION_CONNECTOR_REQUIRED',
  'TOKEN_GROUP_CAPABLE', 'UNLOCK_CAPABLE',
]);
const ParkingRestriction = z.enum(['EV_ONLY', 'PLUGGED', 'DISABLED', 'CUSTOMERS', 'MOTORCYCLES']);
const ParkingType = z.enum(['ALONG_MOTORWAY', 'PARKING_GARAGE', 'PARKING_LOT', 'ON_DRIVEWAY', 'ON_STREET', 'UNDERGROUND_GARAGE']);
const Facility = z.enum([
  'HOTEL', 'RESTAURANT', 'CAFE', 'MALL', 'SUPERMARKET', 'SPORT', 'RECREATION_AREA', 'NATURE', 'MUSEUM', 'BIKE_SHARING', 'BUS_STOP',
  'TAXI_STAND', 'TRAM_STOP', 'METRO_STATION', 'TRAIN_STATION', 'AIRPORT', 'PARKING_LOT', 'CARPOOL_PARKING', 'FUEL_STATION', 'WIFI',
]);

export const EvseStatus = z.enum(['AVAILABLE', 'BLOCKED', 'CHARGING', 'INOPERATIVE', 'OUTOFORDER', 'PLANNED', 'REMOVED', 'RESERVED', 'UNKNOWN']);

export const Connector = z.looseObject({
  id: ObjectId(36),
  standard: ConnectorType,
  format: z.enum(['SOCKET', 'CABLE']),
  power_type: z.enum(['AC_1_PHASE', 'AC_2_PHASE', 'AC_2_PHASE_SPLIT', 'AC_3_PHASE', 'DC']),
  max_voltage: z.number().int().min(0),
  max_amperage: z.number().int().min(0),
  max_electric_power: z.number().int().min(0).optional(),
  tariff_ids: z.array(CiString(36)).optional(),
  terms_and_conditions: z.string().url().optional(),
  last_updated: DateTime,
});

export const Evse = z.looseObject({
  uid: ObjectId(36),
  evse_id: CiString(48).optional(),
  status: EvseStatus,
  status_schedule: z.array(z.looseObject({ period_begin: DateTime, period_end: DateTime.optional(), status: EvseStatus })).optional(),
  capabilities: z.array(Capability).optional(),
  connectors: z.array(Connector).min(1),
  floor_level: OcpiString(4).optional(),
  coordinates: GeoLocation.optional(),
  physical_reference: OcpiString(16).optional(),
  directions: z.array(DisplayText).optional(),
  parking_restrictions: z.array(ParkingRestriction).optional(),
  images: z.array(Image).optional(),
  last_updated: DateTime,
});

export const Location = z.looseObject({
  ...Ownership,
  id: ObjectId(36),
  publish: z.boolean(),
  publish_allowed_to: z
    .array(z.looseObject({ uid: CiString(36).optional(), type: TokenType.optional(), visual_number: OcpiString(64).optional(), issuer: OcpiString(64).optional(), group_id: CiString(36).optional() }))
    .optional(),
  name: OcpiString(255).optional(),
  address: OcpiString(45),
  city: OcpiString(45),
  postal_code: OcpiString(10).optional(),
  state: OcpiString(20).optional(),
  country: z.string().min(3).max(3),
  coordinates: GeoLocation,
  related_locations: z.array(z.looseObject({ latitude: z.string(), longitude: z.string(), name: DisplayText.optional() })).optional(),
  parking_type: ParkingType.optional(),
  evses: z.array(Evse).optional(),
  directions: z.array(DisplayText).optional(),
  operator: BusinessDetails.optional(),
  suboperator: BusinessDetails.optional(),
  owner: BusinessDetails.optional(),
  facilities: z.array(Facility).optional(),
  time_zone: z.string().min(1).max(255),
  opening_times: z.looseObject({ twentyfourseven: z.boolean() }).optional(),
  charging_when_closed: z.boolean().optional(),
  images: z.array(Image).optional(),
  energy_mix: z.looseObject({ is_green_energy: z.boolean() }).optional(),
  last_updated: DateTime,
});

export type Location = z.infer<typeof Location>;
export type Evse = z.infer<typeof Evse>;
export type Connector = z.infer<typeof Connector>;

/** A PATCH names only the changed fields, plus last_updated (transport_and_format.asciidoc, PATCH). */
export const LocationPatch = Location.partial().required({ last_updated: true });
export const EvsePatch = Evse.partial().required({ last_updated: true });
export const ConnectorPatch = Connector.partial().required({ last_updated: true });

