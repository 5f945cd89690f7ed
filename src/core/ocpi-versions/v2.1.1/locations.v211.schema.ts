import { z } from 'zod';
import {
  BusinessDetailsV211,
  DateTimeV211,
  DisplayTextV211,
  GeoLocationV211,
  IdV211,
  ImageV211,
  NumberV211,
  StringV211,
  UrlV211,
} from './types.v211.schema';

/** Location, EVSE and Connector of OCPI 2.1.1 (mod_locations.md 3 and 4). */

export const LocationTypeV211 = z.enum(['ON_STREET', 'PARKING_GARAGE', 'UNDERGROUND_GARAGE', 'PARKING_LOT', 'OTHER', 'UNKNOWN']);
export const CapabilityV211 = z.enum(['CHARGING_PROFILE_CAPABLE', 'CREDIT_CARD_PAYABLE', 'REMOTE_START_STOP_CAPABLE', 'RESERVABLE', 'RFID_READER', 'UNLOCK_CAPABLE']);
export const ConnectorFormatV211 = z.enum(['SOCKET', 'CABLE']);
export const ConnectorTypeV211 = z.enum([
  'CHADEMO', 'DOMESTIC_A', 'DOMESTIC_B', 'DOMESTIC_C', 'DOMESTIC_D', 'DOMESTIC_E', 'DOMESTIC_F', 'DOMESTIC_G', 'DOMESTIC_H', 'DOMESTIC_I',
  'DOMESTIC_J', 'DOMESTIC_K', 'DOMESTIC_L', 'IEC_60309_2_single_16', 'IEC_60309_2_three_16', 'IEC_60309_2_three_32', 'IEC_60309_2_three_64',
  'IEC_62196_T1', 'IEC_62196_T1_COMBO', 'IEC_62196_T2', 'IEC_62196_T2_COMBO', 'IEC_62196_T3A', 'IEC_62196_T3C', 'TESLA_R', 'TESLA_S',
]);
export const PowerTypeV211 = z.enum(['AC_1_PHASE', 'AC_3_PHASE', 'DC']);
export const FacilityV211 = z.enum([
  'HOTEL', 'RESTAURANT', 'CAFE', 'MALL', 'SUPERMARKET', 'SPORT', 'RECREATION_AREA', 'NATURE', 'MUSEUM', 'BUS_STOP', 'TAXI_STAND',
  'TRAIN_STATION', 'AIRPORT', 'CARPOOL_PARKING', 'FUEL_STATION', 'WIFI',
]);
export const ParkingRestrictionV211 = z.enum(['EV_ONLY', 'PLUGGED', 'DISABLED', 'CUSTOMERS', 'MOTORCYCLES']);
export const StatusV211 = z.enum(['AVAILABLE', 'BLOCKED', 'CHARGING', 'INOPERATIVE', 'OUTOFORDER', 'PLANNED', 'REMOVED', 'RESERVED', 'UNKNOWN']);
export const EnergySourceCategoryV211 = z.enum(['NUCLEAR', 'GENERAL_FOSSIL', 'COAL', 'GAS', 'GENERAL_GREEN', 'SOLAR', 'WIND', 'WATER']);
export const EnvironmentalImpactCategoryV211 = z.enum(['NUCLEAR_WASTE', 'CARBON_DIOXIDE']);

export const AdditionalGeoLocationV211 = GeoLocationV211.extend({ name: DisplayTextV211.optional() });

export const EnergyMixV211 = z.looseObject({
  is_green_energy: z.boolean(),
  energy_sources: z.array(z.looseObject({ source: EnergySourceCategoryV211, percentage: NumberV211 })).optional(),
  environ_impact: z.array(z.looseObject({ source: EnvironmentalImpactCategoryV211, amount: NumberV211 })).optional(),
  supplier_name: StringV211(64).optional(),
  energy_product_name: StringV211(64).optional(),
});

const TIME_OF_DAY = /^[0-2][0-9]:[0-5][0-9]$/;
export const RegularHoursV211 = z.looseObject({
  weekday: z.number().int().min(1).max(7),
  period_begin: z.string().regex(TIME_OF_DAY, 'must be a 24h time like 18:15'),
  period_end: z.string().regex(TIME_OF_DAY, 'must be a 24h time like 18:15'),
});
export const ExceptionalPeriodV211 = z.looseObject({ period_begin: DateTimeV211, period_end: DateTimeV211 });

/** Hours: a choice of regular_hours or twentyfourseven (the text's own example sends both, 24/7 false). */
export const HoursV211 = z
  .looseObject({
    regular_hours: z.array(RegularHoursV211).optional(),
    twentyfourseven: z.boolean().optional(),
    exceptional_openings: z.array(ExceptionalPeriodV211).optional(),
    exceptional_closings: z.array(ExceptionalPeriodV211).optional(),
  })
  .refine((h) => h.regular_hours !== undefined || h.twentyfourseven !== undefined, 'must have regular_hours or twentyfourseven');

export const StatusScheduleV211 = z.looseObject({ period_begin: DateTimeV211, period_end: DateTimeV211.optional(), status: StatusV211 });

export const ConnectorV211 = z.looseObject({
  id: IdV211(36),
  standard: ConnectorTypeV211,
  format: ConnectorFormatV211,
  power_type: PowerTypeV211,
  voltage: z.number().int(),
  amperage: z.number().int(),
  tariff_id: IdV211(36).optional(),
  terms_and_conditions: UrlV211.optional(),
  last_updated: DateTimeV211,
});

export const EvseV211 = z.looseObject({
  uid: IdV211(39),
  evse_id: StringV211(48).optional(),
  status: StatusV211,
  status_schedule: z.array(StatusScheduleV211).optional(),
  capabilities: z.array(CapabilityV211).optional(),
  connectors: z.array(ConnectorV211).min(1),
  floor_level: StringV211(4).optional(),
  coordinates: GeoLocationV211.optional(),
  physical_reference: StringV211(16).optional(),
  directions: z.array(DisplayTextV211).optional(),
  parking_restrictions: z.array(ParkingRestrictionV211).optional(),
  images: z.array(ImageV211).optional(),
  last_updated: DateTimeV211,
});

export const LocationV211 = z.looseObject({
  id: IdV211(39),
  type: LocationTypeV211,
  name: StringV211(255).optional(),
  address: StringV211(45),
  city: StringV211(45),
  postal_code: StringV211(10),
  country: StringV211(3),
  coordinates: GeoLocationV211,
  related_locations: z.array(AdditionalGeoLocationV211).optional(),
  evses: z.array(EvseV211).optional(),
  directions: z.array(DisplayTextV211).optional(),
  operator: BusinessDetailsV211.optional(),
  suboperator: BusinessDetailsV211.optional(),
  owner: BusinessDetailsV211.optional(),
  facilities: z.array(FacilityV211).optional(),
  time_zone: StringV211(255).optional(),
  opening_times: HoursV211.optional(),
  charging_when_closed: z.boolean().optional(),
  images: z.array(ImageV211).optional(),
  energy_mix: EnergyMixV211.optional(),
  last_updated: DateTimeV211,
});

export type LocationV211 = z.infer<typeof LocationV211>;
export type EvseV211 = z.infer<typeof EvseV211>;
export type ConnectorV211 = z.infer<typeof ConnectorV211>;

/** PATCH (mod_locations.md 2.2.3): only the fields to update; 2.1.1 does not require last_updated in it. */
export const LocationPatchV211 = LocationV211.partial();
export const EvsePatchV211 = EvseV211.partial();
export const ConnectorPatchV211 = ConnectorV211.partial();
