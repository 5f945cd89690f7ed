import {
  type AfirEvse,
  type AfirFinding,
  type AfirLocation,
  type AfirTariff,
  evsePowerKw,
  finding,
  HIGH_POWER_KW,
} from './afir-rules';

/**
 * The AFIR price rules for one location: each EVSE's ad hoc tariff checked against the regime of its
 * power output (Art. 5(3) at 50 kW or more, Art. 5(4) below). Pure; the caller passes the tariffs the
 * location's connectors name (own or a partner CPO's, as the hub stores them).
 */

export interface AfirEvsePrices {
  evse_uid: string;
  evse_id?: string;
  power_kw?: number;
  /** 'high': 50 kW or more; 'low': below; 'unknown': no connector gives a power. */
  regime: 'high' | 'low' | 'unknown';
  ad_hoc_tariff_ids: string[];
}

export interface AfirTariffReport {
  location_id: string;
  evses: AfirEvsePrices[];
  findings: AfirFinding[];
}

export const AD_HOC_PAYMENT = 'AD_HOC_PAYMENT';

/** The display order of Art. 5(4): per kWh, per minute (charging, then occupancy), per session, any other. */
const DISPLAY_RANK: Record<string, number> = { ENERGY: 0, TIME: 1, PARKING_TIME: 1, FLAT: 2 };
const rankOf = (type: string) => DISPLAY_RANK[type] ?? 3;
const WHAT: Record<string, string> = { ENERGY: 'per kWh', TIME: 'per minute of charging', PARKING_TIME: 'per minute of occupancy', FLAT: 'per session' };
const what = (type: string) => WHAT[type] ?? type;

function componentTypes(tariff: AfirTariff): Set<string> {
  return new Set(tariff.elements.flatMap((e) => e.price_components.map((c) => c.type)));
}

/** Rules every ad hoc tariff meets whatever the power. */
function lintAdHocTariff(tariff: AfirTariff, evseUid: string): AfirFinding[] {
  const at = { tariffId: tariff.id, evseUid };
  const components = tariff.elements.flatMap((e) => e.price_components);
  if (components.length === 0) return [finding('ad-hoc-price-positive', 'error', `Ad hoc tariff ${tariff.id} states no price component`, at)];
  const negative = components.filter((c) => c.price < 0);
  return negative.map((c) => finding('ad-hoc-price-positive', 'error', `Ad hoc tariff ${tariff.id} has a negative ${what(c.type)} price (${c.price} ${tariff.currency})`, at));
}

function lintHighPower(tariff: AfirTariff, evseUid: string, powerKw: number): AfirFinding[] {
  const at = { tariffId: tariff.id, evseUid };
  const types = componentTypes(tariff);
  const findings: AfirFinding[] = [];
  if (!types.has('ENERGY')) {
    findings.push(finding('high-power-price-per-kwh', 'error', `EVSE ${evseUid} delivers ${powerKw} kW (≥ ${HIGH_POWER_KW} kW) but its ad hoc tariff ${tariff.id} has no price per kWh (ENERGY component)`, at));
  }
  for (const type of [...types].filter((t) => t !== 'ENERGY' && t !== 'PARKING_TIME').sort()) {
    findings.push(finding('high-power-only-kwh-and-occupancy', 'error', `EVSE ${evseUid} delivers ${powerKw} kW (≥ ${HIGH_POWER_KW} kW): its ad hoc tariff ${tariff.id} charges ${what(type)} (${type}); only a price per kWh and a per-minute occupancy fee (PARKING_TIME) are allowed`, at));
  }
  return findings;
}

function lintLowPower(tariff: AfirTariff, evseUid: string): AfirFinding[] {
  const at = { tariffId: tariff.id, evseUid };
  const findings: AfirFinding[] = [];
  tariff.elements.forEach((element, index) => {
    const types = element.price_components.map((c) => c.type);
    const outOfOrder = types.findIndex((type, i) => i > 0 && rankOf(type) < rankOf(types[i - 1]));
    if (outOfOrder > 0) {
      const expected = [...types].sort((a, b) => rankOf(a) - rankOf(b));
      findings.push(finding('low-power-component-order', 'warning', `Ad hoc tariff ${tariff.id}, element ${index}: components ${types.join(', ')} are not in the display order per kWh, per minute, per session, other (expected ${expected.join(', ')})`, at));
    }
  });
  return findings;
}

function evseTariffIds(evse: AfirEvse): string[] {
  return [...new Set(evse.connectors.flatMap((c) => c.tariff_ids ?? []))];
}

/**
 * Lints the ad hoc prices of a location's EVSEs. `tariffs` holds the tariffs of the location's owner
 * by id; a name it lacks is a finding, since neither the hub nor a NAP can show that price.
 */
export function lintAfirTariffs(location: AfirLocation, tariffs: ReadonlyMap<string, AfirTariff>): AfirTariffReport {
  const findings: AfirFinding[] = [];
  const evses: AfirEvsePrices[] = [];
  for (const evse of location.evses ?? []) {
    if (evse.status === 'REMOVED') continue; // no longer a recharging point
    const powerKw = evsePowerKw(evse);
    const regime = powerKw === undefined ? 'unknown' : powerKw >= HIGH_POWER_KW ? 'high' : 'low';
    const named = evseTariffIds(evse);
    for (const id of named.filter((id) => !tariffs.has(id))) {
      findings.push(finding('ad-hoc-tariff-known', 'warning', `EVSE ${evse.uid} names tariff ${id}, which the hub does not hold`, { evseUid: evse.uid, tariffId: id }));
    }
    const adHoc = named.map((id) => tariffs.get(id)).filter((t): t is AfirTariff => t?.type === AD_HOC_PAYMENT);
    evses.push({ evse_uid: evse.uid, ...(evse.evse_id && { evse_id: evse.evse_id }), ...(powerKw !== undefined && { power_kw: powerKw }), regime, ad_hoc_tariff_ids: adHoc.map((t) => t.id) });
    if (adHoc.length === 0) {
      findings.push(finding('ad-hoc-tariff', 'error', `EVSE ${evse.uid} has no ad hoc tariff (type ${AD_HOC_PAYMENT}) among ${named.length ? named.join(', ') : 'its tariffs (none named)'}`, { evseUid: evse.uid }));
      continue;
    }
    for (const tariff of adHoc) {
      findings.push(...lintAdHocTariff(tariff, evse.uid));
      if (regime === 'high') findings.push(...lintHighPower(tariff, evse.uid, powerKw!));
      else findings.push(...lintLowPower(tariff, evse.uid));
    }
  }
  return { location_id: location.id, evses, findings };
}
