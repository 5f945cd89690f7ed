import { z } from 'zod';
import { Connector } from '../locations/locations.schema';
import { AuthMethod, CdrToken, ChargingPeriod, CiString, DateTime, Decimal, GeoLocation, ObjectId, Ownership, Price } from '../../ocpi/ocpi-types';
import { Tariff } from '../tariffs/tariffs.schema';

/** CDR and its parts (mod_cdrs.asciidoc, Object description). */

export const CdrLocation = z.looseObject({
  id: CiString(36),
  name: z.string().max(255).optional(),
  address: z.string().max(45),
  city: z.string().max(45),
  postal_code: z.string().max(10).optional(),
  state: z.string().max(20).optional(),
  country: z.string().length(3),
  coordinates: GeoLocation,
  evse_uid: CiString(36),
  evse_id: CiString(48),
  connector_id: CiString(36),
  connector_standard: Connector.shape.standard,
  connector_format: Connector.shape.format,
  connector_power_type: Connector.shape.power_type,
});

export const SignedData = z.looseObject({
  encoding_method: CiString(36),
  encoding_method_version: z.number().int().optional(),
  public_key: z.string().max(512).optional(),
  signed_values: z
    .array(z.looseObject({ nature: CiString(32), plain_data: z.string().max(512), signed_data: z.string().max(5000) }))
    .min(1),
  url: z.string().max(512).optional(),
});

export const Cdr = z
  .looseObject({
    ...Ownership,
    // 39 leaves room for a credit CDR's suffix; a normal CDR's id is at most 36 (checked below).
    id: ObjectId(39),
    start_date_time: DateTime,
    end_date_time: DateTime,
    session_id: CiString(36).optional(),
    cdr_token: CdrToken,
    auth_method: AuthMethod,
    authorization_reference: CiString(36).optional(),
    cdr_location: CdrLocation,
    meter_id: z.string().max(255).optional(),
    currency: z.string().length(3),
    tariffs: z.array(Tariff).optional(),
    charging_periods: z.array(ChargingPeriod).min(1),
    signed_data: SignedData.optional(),
    total_cost: Price,
    total_fixed_cost: Price.optional(),
    total_energy: Decimal,
    total_energy_cost: Price.optional(),
    total_time: Decimal,
    total_time_cost: Price.optional(),
    total_parking_time: Decimal.optional(),
    total_parking_cost: Price.optional(),
    total_reservation_cost: Price.optional(),
    remark: z.string().max(255).optional(),
    invoice_reference_id: CiString(39).optional(),
    credit: z.boolean().optional(),
    credit_reference_id: CiString(39).optional(),
    home_charging_compensation: z.boolean().optional(),
    last_updated: DateTime,
  })
  .superRefine((cdr, ctx) => {
    if (cdr.credit && !cdr.credit_reference_id) {
      ctx.addIssue({ code: 'custom', path: ['credit_reference_id'], message: 'is required for a credit CDR' });
    }
    if (!cdr.credit && cdr.id.length > 36) {
      ctx.addIssue({ code: 'custom', path: ['id'], message: 'may be longer than 36 characters only for a credit CDR' });
    }
  });

export type Cdr = z.infer<typeof Cdr>;
