/**
 * The AFIR rules the hub checks (Regulation (EU) 2023/1804, the Alternative Fuels Infrastructure
 * Regulation), each with the article it reads. This is a tool for operators, not legal advice: the
 * article numbers are the hub's reading of the text (docs/afir.md), and the rules check only what an
 * OCPI Location and Tariff can show.
 *
 * Pure: no I/O. The shapes below are the parts of the OCPI 2.2.1 objects (the hub form) the rules
 * read; core cannot import the hub's schemas, and the rules must not depend on fields they do not use.
 */

export type AfirSeverity = 'error' | 'warning';

export interface AfirRule {
  id: string;
  article: string;
  /** What the rule asks, in one sentence. */
  title: string;
}

/** Every rule, by id. A finding names its rule; docs/afir.md lists the same table. */
export const AFIR_RULES = {
  'ad-hoc-tariff': {
    id: 'ad-hoc-tariff',
    article: 'Art. 5(1)',
    title: 'Every publicly accessible recharging point offers ad hoc recharging: an EVSE needs a tariff of type AD_HOC_PAYMENT',
  },
  'ad-hoc-tariff-known': {
    id: 'ad-hoc-tariff-known',
    article: 'Art. 5(1)',
    title: 'A tariff an EVSE names is held at the hub (otherwise its ad hoc price cannot be checked or published)',
  },
  'high-power-price-per-kwh': {
    id: 'high-power-price-per-kwh',
    article: 'Art. 5(3)',
    title: 'At 50 kW or more the ad hoc price is based on the price per kWh delivered: the ad hoc tariff has an ENERGY component',
  },
  'high-power-only-kwh-and-occupancy': {
    id: 'high-power-only-kwh-and-occupancy',
    article: 'Art. 5(3)',
    title: 'At 50 kW or more the ad hoc price is per kWh, plus at most a per-minute occupancy fee (PARKING_TIME); a per-session (FLAT) or per-minute charging (TIME) component is not part of it',
  },
  'low-power-component-order': {
    id: 'low-power-component-order',
    article: 'Art. 5(4)',
    title: 'Below 50 kW the ad hoc price components are displayed in the order: price per kWh, per minute, per session, other',
  },
  'ad-hoc-price-positive': {
    id: 'ad-hoc-price-positive',
    article: 'Art. 5(3)',
    title: 'An ad hoc tariff states a price: at least one element with a component, none negative',
  },
  'card-payment-high-power': {
    id: 'card-payment-high-power',
    article: 'Art. 5(2)',
    title: 'A recharging point of 50 kW or more accepts payment cards: a card reader or contactless reader (EVSE capability CREDIT_CARD_PAYABLE, DEBIT_CARD_PAYABLE, CONTACTLESS_CARD_SUPPORT or PED_TERMINAL)',
  },
  'opening-hours': {
    id: 'opening-hours',
    article: 'Art. 20(1)',
    title: 'Static data to the National Access Point include the opening hours: Location opening_times',
  },
  'evse-id': {
    id: 'evse-id',
    article: 'Art. 20(1)',
    title: 'Static data identify each recharging point: EVSE evse_id',
  },
  'power-output': {
    id: 'power-output',
    article: 'Art. 20(1)',
    title: 'Static data give each recharging point\'s power output: connector max_electric_power (or voltage and amperage)',
  },
  'operator-contact': {
    id: 'operator-contact',
    article: 'Art. 20(1)',
    title: 'Static data name the operator: Location operator',
  },
  'accessibility-parking': {
    id: 'accessibility-parking',
    article: 'Art. 20(1)',
    title: 'Static data describe the access to the recharging point: parking type, and parking restrictions or 2.3.0 parking objects',
  },
  'help-phone': {
    id: 'help-phone',
    article: 'Art. 20(1)',
    title: 'Static data include the operator\'s contact for users (OCPI 2.3.0 help_phone)',
  },
  'evse-status': {
    id: 'evse-status',
    article: 'Art. 20(2)',
    title: 'Dynamic data give each recharging point\'s operational status and availability: an EVSE status other than UNKNOWN',
  },
  'nap-published': {
    id: 'nap-published',
    article: 'Art. 20(2)',
    title: 'Static and dynamic data are made available through the National Access Point: the CPO has opted in to NAP publication and the location is published',
  },
} as const satisfies Record<string, AfirRule>;

export type AfirRuleId = keyof typeof AFIR_RULES;

export interface AfirFinding {
  rule: AfirRuleId;
  article: string;
  severity: AfirSeverity;
  message: string;
  tariff_id?: string;
  evse_uid?: string;
}

export function finding(rule: AfirRuleId, severity: AfirSeverity, message: string, at: { tariffId?: string; evseUid?: string } = {}): AfirFinding {
  return {
    rule,
    article: AFIR_RULES[rule].article,
    severity,
    message,
    ...(at.tariffId !== undefined && { tariff_id: at.tariffId }),
    ...(at.evseUid !== undefined && { evse_uid: at.evseUid }),
  };
}

/** The parts of an OCPI 2.2.1 PriceComponent, TariffElement and Tariff the rules read. */
export interface AfirPriceComponent {
  type: string;
  price: number;
}
export interface AfirTariff {
  id: string;
  currency: string;
  type?: string;
  elements: { price_components: AfirPriceComponent[]; restrictions?: unknown }[];
}

export interface AfirConnector {
  id: string;
  power_type: string;
  max_voltage: number;
  max_amperage: number;
  max_electric_power?: number;
  tariff_ids?: string[];
}
export interface AfirEvse {
  uid: string;
  evse_id?: string;
  status: string;
  capabilities?: string[];
  parking_restrictions?: string[];
  connectors: AfirConnector[];
  /** OCPI 2.3.0 EVSE parking, when the hub knows it (an undocumented field in the hub form). */
  parking?: unknown[];
}
export interface AfirLocation {
  id: string;
  country_code: string;
  party_id: string;
  publish: boolean;
  parking_type?: string;
  opening_times?: unknown;
  operator?: { name: string };
  evses?: AfirEvse[];
  /** OCPI 2.3.0 Location help_phone, when the hub knows it. */
  help_phone?: string;
}

/** The AFIR threshold between the two price regimes, in kW (Art. 5(3)). */
export const HIGH_POWER_KW = 50;

/**
 * A connector's maximum power in kW: max_electric_power (W) when given, else voltage × amperage,
 * × 3 for three phases (OCPI gives the line-to-neutral voltage: mod_locations, Connector
 * max_voltage). Undefined when nothing is known (all zero).
 */
export function connectorPowerKw(connector: AfirConnector): number | undefined {
  if (connector.max_electric_power !== undefined && connector.max_electric_power > 0) return connector.max_electric_power / 1000;
  const phases = connector.power_type === 'AC_3_PHASE' ? 3 : connector.power_type === 'AC_2_PHASE' || connector.power_type === 'AC_2_PHASE_SPLIT' ? 2 : 1;
  const watts = connector.max_voltage * connector.max_amperage * phases;
  return watts > 0 ? watts / 1000 : undefined;
}

/** An EVSE's power output: its strongest connector (AFIR speaks of the recharging point's maximum power). */
export function evsePowerKw(evse: AfirEvse): number | undefined {
  const powers = evse.connectors.map(connectorPowerKw).filter((p): p is number => p !== undefined);
  return powers.length ? Math.max(...powers) : undefined;
}
