import { AFIR_RULES, type AfirFinding, type AfirLocation, type AfirRuleId, type AfirTariff, connectorPowerKw, evsePowerKw, finding, HIGH_POWER_KW } from './afir-rules';
import { lintAfirTariffs } from './afir-tariff-lint';

/**
 * What a location lacks for AFIR, one check per rule (ad hoc payment and prices, the static and
 * dynamic data a National Access Point publishes). Pure: the caller says whether the owner publishes
 * to the NAP. Each check is `ok` or carries its findings; `ready` when no check has an error.
 */

export interface AfirReadinessCheck {
  rule: AfirRuleId;
  article: string;
  title: string;
  ok: boolean;
  findings: AfirFinding[];
}

export interface AfirReadiness {
  location_id: string;
  owner: string;
  ready: boolean;
  errors: number;
  warnings: number;
  checks: AfirReadinessCheck[];
}

/** The checks a readiness report has, in its order. */
export const READINESS_RULES: AfirRuleId[] = [
  'ad-hoc-tariff',
  'ad-hoc-tariff-known',
  'ad-hoc-price-positive',
  'high-power-price-per-kwh',
  'high-power-only-kwh-and-occupancy',
  'low-power-component-order',
  'card-payment-high-power',
  'evse-id',
  'power-output',
  'opening-hours',
  'operator-contact',
  'accessibility-parking',
  'help-phone',
  'evse-status',
  'nap-published',
];

/** EVSE capabilities that say a payment card can be used at the recharging point (Art. 5(1)(a)/(b)). */
export const CARD_CAPABILITIES = ['CREDIT_CARD_PAYABLE', 'DEBIT_CARD_PAYABLE', 'CONTACTLESS_CARD_SUPPORT', 'PED_TERMINAL'];

function dataFindings(location: AfirLocation, napOptedIn: boolean): AfirFinding[] {
  const out: AfirFinding[] = [];
  const evses = (location.evses ?? []).filter((e) => e.status !== 'REMOVED');
  if (evses.length === 0) out.push(finding('evse-id', 'error', `Location ${location.id} has no EVSE`));
  for (const evse of evses) {
    const at = { evseUid: evse.uid };
    if (!evse.evse_id) out.push(finding('evse-id', 'error', `EVSE ${evse.uid} has no evse_id`, at));
    for (const connector of evse.connectors.filter((c) => connectorPowerKw(c) === undefined)) {
      out.push(finding('power-output', 'error', `Connector ${connector.id} of EVSE ${evse.uid} gives no power (max_electric_power, or max_voltage and max_amperage)`, at));
    }
    const power = evsePowerKw(evse);
    if (power !== undefined && power >= HIGH_POWER_KW && !(evse.capabilities ?? []).some((c) => CARD_CAPABILITIES.includes(c))) {
      out.push(finding('card-payment-high-power', 'error', `EVSE ${evse.uid} delivers ${power} kW but lists no card payment capability (${CARD_CAPABILITIES.join(', ')})`, at));
    }
    if (evse.status === 'UNKNOWN') out.push(finding('evse-status', 'warning', `EVSE ${evse.uid} reports status UNKNOWN`, at));
    if (!(evse.parking_restrictions?.length || evse.parking?.length) && !location.parking_type) {
      out.push(finding('accessibility-parking', 'warning', `EVSE ${evse.uid} says nothing of its parking (no parking_restrictions or parking, and the location has no parking_type)`, at));
    }
  }
  if (location.opening_times === undefined) out.push(finding('opening-hours', 'error', `Location ${location.id} has no opening_times`));
  if (!location.operator?.name) out.push(finding('operator-contact', 'error', `Location ${location.id} names no operator`));
  if (!location.help_phone) out.push(finding('help-phone', 'warning', `Location ${location.id} has no help_phone (OCPI 2.3.0)`));
  if (!napOptedIn) out.push(finding('nap-published', 'error', `CPO ${location.country_code}/${location.party_id} does not publish to the National Access Point (PUT /admin/afir/nap/{party})`));
  else if (!location.publish) out.push(finding('nap-published', 'error', `Location ${location.id} is not published (publish: false), so the NAP does not get it`));
  return out;
}

export function afirReadiness(location: AfirLocation, tariffs: ReadonlyMap<string, AfirTariff>, { napOptedIn }: { napOptedIn: boolean }): AfirReadiness {
  const all = [...lintAfirTariffs(location, tariffs).findings, ...dataFindings(location, napOptedIn)];
  const checks = READINESS_RULES.map((rule) => {
    const findings = all.filter((f) => f.rule === rule);
    return { rule, article: AFIR_RULES[rule].article, title: AFIR_RULES[rule].title, ok: !findings.some((f) => f.severity === 'error'), findings };
  });
  const errors = all.filter((f) => f.severity === 'error').length;
  return {
    location_id: location.id,
    owner: `${location.country_code}/${location.party_id}`,
    ready: errors === 0,
    errors,
    warnings: all.length - errors,
    checks,
  };
}
