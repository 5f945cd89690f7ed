import type { ChargerDeviceModel, Configuration16, DeviceComponent, DeviceVariable, SetVariableOutcome } from '../chargers/charger-device-model';

/**
 * What an operator's call tells of the charger's device model: a GetConfiguration / GetVariables
 * answer is what it reports, a ChangeConfiguration / SetVariables and its answer what the operator
 * set (docs/own-chargers.md, "Device model"). Pure: `deviceModelWritesOf` says what to store,
 * `storeDeviceModelAnswer` stores it.
 */
export type DeviceModelWrite =
  | { kind: 'configuration'; answer: Configuration16 }
  | { kind: 'changed-configuration'; key: string; value: string; status: string }
  | { kind: 'variables'; results: { attributeStatus: string; attributeType?: string; attributeValue?: string; component: DeviceComponent; variable: DeviceVariable }[] }
  | { kind: 'set-variables'; outcomes: SetVariableOutcome[] };

interface SetVariableData {
  attributeValue: string;
  attributeType?: string;
  component: DeviceComponent;
  variable: DeviceVariable;
}
interface SetVariableResult {
  attributeStatus: string;
  attributeType?: string;
  attributeStatusInfo?: Record<string, unknown>;
  component: DeviceComponent;
  variable: DeviceVariable;
}

/** One attribute's identity: the station answers each SetVariableData with a result naming the same component, variable and attribute type. */
const attributeKey = (c: DeviceComponent, v: DeviceVariable, type: string | undefined) =>
  JSON.stringify([c.name, c.instance ?? '', c.evse?.id ?? null, c.evse?.connectorId ?? null, v.name, v.instance ?? '', type ?? 'Actual']);

/** The writes an answered call makes (none for other actions; the params and answer passed the version's schema). */
export function deviceModelWritesOf(action: string, params: unknown, answer: unknown): DeviceModelWrite[] {
  const p = (params ?? {}) as Record<string, unknown>;
  const a = (answer ?? {}) as Record<string, unknown>;
  switch (action) {
    case 'GetConfiguration':
      return [{ kind: 'configuration', answer: a as Configuration16 }];
    case 'ChangeConfiguration':
      return typeof a.status === 'string' ? [{ kind: 'changed-configuration', key: String(p.key), value: String(p.value), status: a.status }] : [];
    case 'GetVariables':
      return Array.isArray(a.getVariableResult) ? [{ kind: 'variables', results: a.getVariableResult }] : [];
    case 'SetVariables': {
      const results = new Map(((a.setVariableResult ?? []) as SetVariableResult[]).map((r) => [attributeKey(r.component, r.variable, r.attributeType), r]));
      const outcomes = ((p.setVariableData ?? []) as SetVariableData[]).flatMap((d) => {
        const r = results.get(attributeKey(d.component, d.variable, d.attributeType));
        return r ? [{ component: d.component, variable: d.variable, attributeType: d.attributeType, attributeValue: d.attributeValue, attributeStatus: r.attributeStatus, attributeStatusInfo: r.attributeStatusInfo }] : [];
      });
      return outcomes.length ? [{ kind: 'set-variables', outcomes }] : [];
    }
    default:
      return [];
  }
}

export async function storeDeviceModelAnswer(deviceModel: ChargerDeviceModel, chargerId: string, action: string, params: unknown, answer: unknown, at: Date): Promise<void> {
  for (const write of deviceModelWritesOf(action, params, answer)) {
    if (write.kind === 'configuration') await deviceModel.reportedConfiguration(chargerId, write.answer, at);
    else if (write.kind === 'changed-configuration') await deviceModel.setConfiguration(chargerId, write.key, write.value, write.status, at);
    else if (write.kind === 'variables') await deviceModel.reportedVariables(chargerId, write.results, at);
    else await deviceModel.set(chargerId, write.outcomes, at);
  }
}
