import { z } from 'zod';
import { ConnectorFormatV230, PowerTypeV230 } from './locations.v230.schema';
import { CdrTariffV230 } from './tariffs.v230.schema';
import {
  AuthMethodV230,
  CdrTokenV230,
  ChargingPeriodV230,
  CiStringV230,
  DateTimeV230,
  GeoLocationV230,
  NumberV230,
  OpenEnumV230,
  OwnershipV230,
  PriceV230,
  StringV230,
} from './types.v230.schema';

/** CDR and its parts (OCPI 2.3.0 mod_cdrs.asciidoc): every cost is a 2.3.0 Price. */

export const CdrLocationV230 = z.looseObject({
  id: CiStringV230(36),
  name: StringV230(255).optional(),
  address: StringV230(45),
  city: StringV230(45),
  postal_code: StringV230(10).optional(),
  state: StringV230(20).optional(),
  country: z.string().length(3),
  coordinates: GeoLocationV230,
  evse_uid: CiStringV230(36),
  evse_id: CiStringV230(48),
  connector_id: CiStringV230(36),
  connector_standard: OpenEnumV230,
  connector_format: ConnectorFormatV230,
  connector_power_type: PowerTypeV230,
});

export const SignedDataV230 = z.looseObject({
  encoding_method: CiStringV230(36),
  encoding_method_version: z.number().int().optional(),
  public_key: StringV230(512).optional(),
  signed_values: z.array(z.looseObject({ nature: CiStringV230(32), plain_data: StringV230(512), signed_data: StringV230(5000) })).min(1),
  url: StringV230(512).optional(),
});

export const CdrV230 = z.looseObject({
  ...OwnershipV230,
  id: CiStringV230(39),
  start_date_time: DateTimeV230,
  end_date_time: DateTimeV230,
  session_id: CiStringV230(36).optional(),
  cdr_token: CdrTokenV230,
  auth_method: AuthMethodV230,
  authorization_reference: CiStringV230(36).optional(),
  cdr_location: CdrLocationV230,
  meter_id: StringV230(255).optional(),
  currency: z.string().length(3),
  tariffs: z.array(CdrTariffV230).optional(),
  charging_periods: z.array(ChargingPeriodV230).min(1),
  signed_data: SignedDataV230.optional(),
  total_cost: PriceV230,
  total_fixed_cost: PriceV230.optional(),
  total_energy: NumberV230,
  total_energy_cost: PriceV230.optional(),
  total_time: NumberV230,
  total_time_cost: PriceV230.optional(),
  total_parking_time: NumberV230.optional(),
  total_parking_cost: PriceV230.optional(),
  total_reservation_cost: PriceV230.optional(),
  remark: StringV230(255).optional(),
  invoice_reference_id: CiStringV230(39).optional(),
  credit: z.boolean().optional(),
  credit_reference_id: CiStringV230(39).optional(),
  home_charging_compensation: z.boolean().optional(),
});
export type CdrV230 = z.infer<typeof CdrV230>;

/** The CDR fields that carry money. */
export const CDR_PRICE_FIELDS = [
  'total_cost', 'total_fixed_cost', 'total_energy_cost', 'total_time_cost', 'total_parking_cost', 'total_reservation_cost',
] as const;
