import { z } from 'zod';
import {
  BusinessDetailsV230,
  CiStringV230,
  DateTimeV230,
  DisplayTextV230,
  GeoLocationV230,
  ImageV230,
  NumberV230,
  OpenEnumV230,
  OwnershipV230,
  StringV230,
  TokenTypeV230,
  UrlV230,
} from './types.v230.schema';

/** Location, EVSE, Connector and Parking (OCPI 2.3.0 mod_locations.asciidoc). */

/** ConnectorType (OpenEnum): the 2.2.1 values plus MCS and SAE_J3400. */
export const CONNECTOR_TYPES_V230 = [
  'CHADEMO', 'CHAOJI', 'DOMESTIC_A', 'DOMESTIC_B', 'DOMESTIC_C', 'DOMESTIC_D', 'DOMESTIC_E', 'DOMESTIC_F', 'DOMESTIC_G', 'DOMESTIC_H',
  'DOMESTIC_I', 'DOMESTIC_J', 'DOMESTIC_K', 'DOMESTIC_L', 'DOMESTIC_M', 'DOMESTIC_N', 'DOMESTIC_O', 'GBT_AC', 'GBT_DC', 'IEC_60309_2_single_16',
  'IEC_60309_2_three_16', 'IEC_60309_2_three_32', 'IEC_60309_2_three_64', 'IEC_62196_T1', 'IEC_62196_T1_COMBO', 'IEC_62196_T2',
  'IEC_62196_T2_COMBO', 'IEC_62196_T3A', 'IEC_62196_T3C', 'MCS', 'NEMA_5_20', 'NEMA_6_30', 'NEMA_6_50', 'NEMA_10_30', 'NEMA_10_50',
  'NEMA_14_30', 'NEMA_14_50', 'PANTOGRAPH_BOTTOM_UP', 'PANTOGRAPH_TOP_DOWN', 'SAE_J3400', 'TESLA_R', 'TESLA_S',
] as const;
export const CONNECTOR_CAPABILITIES_V230 = ['ISO_15118_2_PLUG_AND_CHARGE', 'ISO_15118_20_PLUG_AND_CHARGE'] as const;
export const PARKING_RESTRICTIONS_V230 = ['CUSTOMERS', 'DISABLED', 'EMPLOYEES', 'EV_ONLY', 'MOTORCYCLES', 'PLUGGED', 'TAXIS', 'TENANTS'] as const;
export const VEHICLE_TYPES_V230 = [
  'MOTORCYCLE', 'PERSONAL_VEHICLE', 'PERSONAL_VEHICLE_WITH_TRAILER', 'VAN', 'SEMI_TRACTOR', 'RIGID', 'TRUCK_WITH_TRAILER', 'BUS', 'DISABLED',
] as const;

export const EvseStatusV230 = z.enum(['AVAILABLE', 'BLOCKED', 'CHARGING', 'INOPERATIVE', 'OUTOFORDER', 'PLANNED', 'REMOVED', 'RESERVED', 'UNKNOWN']);
export const ConnectorFormatV230 = z.enum(['SOCKET', 'CABLE']);
export const PowerTypeV230 = z.enum(['AC_1_PHASE', 'AC_2_PHASE', 'AC_2_PHASE_SPLIT', 'AC_3_PHASE', 'DC']);

export const ConnectorV230 = z.looseObject({
  id: CiStringV230(36),
  standard: OpenEnumV230,
  format: ConnectorFormatV230,
  power_type: PowerTypeV230,
  max_voltage: z.number().int().min(0),
  max_amperage: z.number().int().min(0),
  max_electric_power: z.number().int().min(0).optional(),
  tariff_ids: z.array(CiStringV230(36)).optional(),
  terms_and_conditions: UrlV230.optional(),
  capabilities: z.array(OpenEnumV230).optional(),
  last_updated: DateTimeV230,
});

export const StatusScheduleV230 = z.looseObject({ period_begin: DateTimeV230, period_end: DateTimeV230.optional(), status: EvseStatusV230 });

export const EvseParkingV230 = z.looseObject({
  parking_id: CiStringV230(36),
  evse_position: z.enum(['LEFT', 'RIGHT', 'CENTER']).optional(),
});

export const EvseV230 = z.looseObject({
  uid: CiStringV230(36),
  evse_id: CiStringV230(48).optional(),
  status: EvseStatusV230,
  status_schedule: z.array(StatusScheduleV230).optional(),
  capabilities: z.array(OpenEnumV230).optional(),
  connectors: z.array(ConnectorV230).min(1),
  floor_level: StringV230(4).optional(),
  coordinates: GeoLocationV230.optional(),
  physical_reference: StringV230(16).optional(),
  directions: z.array(DisplayTextV230).optional(),
  parking_restrictions: z.array(OpenEnumV230).optional(),
  // EVSEParking objects per the class table; the text's own location_example.json lists bare parking ids
  // (strings) instead. Receivers accept both; each names a Parking of the Location's parking_places.
  parking: z.array(z.union([EvseParkingV230, CiStringV230(36)])).optional(),
  images: z.array(ImageV230).optional(),
  accepted_service_providers: z.array(StringV230(50)).optional(),
  last_updated: DateTimeV230,
});

/** Parking object (new in 2.3.0, for AFIR reporting to NAPs). */
export const ParkingV230 = z.looseObject({
  id: CiStringV230(36),
  physical_reference: StringV230(12).optional(),
  vehicle_types: z.array(OpenEnumV230).min(1),
  max_vehicle_weight: NumberV230.optional(),
  max_vehicle_height: NumberV230.optional(),
  max_vehicle_length: NumberV230.optional(),
  max_vehicle_width: NumberV230.optional(),
  parking_space_length: NumberV230.optional(),
  parking_space_width: NumberV230.optional(),
  dangerous_goods_allowed: z.boolean().optional(),
  direction: z.enum(['PARALLEL', 'PERPENDICULAR', 'ANGLE']).optional(),
  drive_through: z.boolean().optional(),
  restricted_to_type: z.boolean(),
  reservation_required: z.boolean(),
  time_limit: NumberV230.optional(),
  roofed: z.boolean().optional(),
  images: z.array(ImageV230).optional(),
  lighting: z.boolean().optional(),
  refrigeration_outlet: z.boolean().optional(),
  standards: z.array(CiStringV230(36)).optional(),
  apds_reference: CiStringV230(255).optional(),
});

export const PublishTokenTypeV230 = z.looseObject({
  uid: CiStringV230(36).optional(),
  type: TokenTypeV230.optional(),
  visual_number: StringV230(64).optional(),
  issuer: StringV230(64).optional(),
  group_id: CiStringV230(36).optional(),
});

export const AdditionalGeoLocationV230 = z.looseObject({
  latitude: GeoLocationV230.shape.latitude,
  longitude: GeoLocationV230.shape.longitude,
  name: DisplayTextV230.optional(),
});

const TIME_OF_DAY = /^([0-1][0-9]|2[0-3]):[0-5][0-9]$/;
export const RegularHoursV230 = z.looseObject({
  weekday: z.number().int().min(1).max(7),
  period_begin: z.string().regex(TIME_OF_DAY, 'must be a time like 08:00'),
  period_end: z.string().regex(/^([0-1][0-9]|2[0-4]):[0-5][0-9]$/, 'must be a time like 18:00'),
});
export const ExceptionalPeriodV230 = z.looseObject({ period_begin: DateTimeV230, period_end: DateTimeV230 });
export const HoursV230 = z.looseObject({
  twentyfourseven: z.boolean(),
  regular_hours: z.array(RegularHoursV230).optional(),
  exceptional_openings: z.array(ExceptionalPeriodV230).optional(),
  exceptional_closings: z.array(ExceptionalPeriodV230).optional(),
});

export const ENVIRONMENTAL_IMPACT_CATEGORIES_V230 = ['NUCLEAR_WASTE', 'CARBON_DIOXIDE'] as const;
export const EnergyMixV230 = z.looseObject({
  is_green_energy: z.boolean(),
  energy_sources: z
    .array(z.looseObject({ source: z.enum(['NUCLEAR', 'GENERAL_FOSSIL', 'COAL', 'GAS', 'GENERAL_GREEN', 'SOLAR', 'WIND', 'WATER']), percentage: NumberV230 }))
    .optional(),
  environ_impact: z.array(z.looseObject({ category: OpenEnumV230, amount: NumberV230 })).optional(),
  supplier_name: StringV230(64).optional(),
  energy_product_name: StringV230(64).optional(),
});

export const LocationV230 = z.looseObject({
  ...OwnershipV230,
  id: CiStringV230(36),
  publish: z.boolean(),
  publish_allowed_to: z.array(PublishTokenTypeV230).optional(),
  name: StringV230(255).optional(),
  address: StringV230(45),
  city: StringV230(45),
  postal_code: StringV230(10).optional(),
  state: StringV230(20).optional(),
  country: z.string().length(3),
  coordinates: GeoLocationV230,
  related_locations: z.array(AdditionalGeoLocationV230).optional(),
  parking_type: OpenEnumV230.optional(),
  evses: z.array(EvseV230).optional(),
  parking_places: z.array(ParkingV230).optional(),
  directions: z.array(DisplayTextV230).optional(),
  operator: BusinessDetailsV230.optional(),
  suboperator: BusinessDetailsV230.optional(),
  owner: BusinessDetailsV230.optional(),
  facilities: z.array(OpenEnumV230).optional(),
  time_zone: StringV230(255).min(1),
  opening_times: HoursV230.optional(),
  charging_when_closed: z.boolean().optional(),
  images: z.array(ImageV230).optional(),
  energy_mix: EnergyMixV230.optional(),
  help_phone: CiStringV230(25).optional(),
  last_updated: DateTimeV230,
});

export type LocationV230 = z.infer<typeof LocationV230>;
export type EvseV230 = z.infer<typeof EvseV230>;
export type ConnectorV230 = z.infer<typeof ConnectorV230>;
export type EnergyMixV230 = z.infer<typeof EnergyMixV230>;

/** A PATCH names only the changed fields, plus last_updated (transport_and_format.asciidoc, PATCH). */
export const LocationPatchV230 = LocationV230.partial().required({ last_updated: true });
export const EvsePatchV230 = EvseV230.partial().required({ last_updated: true });
export const ConnectorPatchV230 = ConnectorV230.partial().required({ last_updated: true });
export type LocationPatchV230 = z.infer<typeof LocationPatchV230>;
export type EvsePatchV230 = z.infer<typeof EvsePatchV230>;
export type ConnectorPatchV230 = z.infer<typeof ConnectorPatchV230>;
