import type { DataSource } from 'typeorm';

/**
 * A charger's device model / configuration as the hub knows it (table `charger_variables`): what the
 * charger reported, when and through which message, and what the operator last set and how the
 * charger answered. One row per component (with its instance and EVSE), variable (with its instance)
 * and attribute type, so a 2.0.1 report and a 1.6 configuration share one shape: a 1.6 key is the
 * variable of the component `OCPP16` (1.6 has no components), its `readonly` flag the mutability.
 */

/** OCPP 2.0.1 ComponentType / VariableType, as both reports and SetVariables name them. */
export interface DeviceComponent {
  name: string;
  instance?: string;
  evse?: { id: number; connectorId?: number };
}

export interface DeviceVariable {
  name: string;
  instance?: string;
}

/** OCPP 2.0.1 ReportDataType (NotifyReport). */
export interface ReportData {
  component: DeviceComponent;
  variable: DeviceVariable;
  variableAttribute: { type?: string; value?: string; mutability?: string; persistent?: boolean; constant?: boolean }[];
  variableCharacteristics?: Record<string, unknown>;
}

/** OCPP 1.6 GetConfiguration.conf. */
export interface Configuration16 {
  configurationKey?: { key: string; readonly: boolean; value?: string }[];
  unknownKey?: string[];
}

/** One SetVariableData with the charger's SetVariableResult (matched by component, variable and attribute type). */
export interface SetVariableOutcome {
  component: DeviceComponent;
  variable: DeviceVariable;
  attributeType?: string;
  attributeValue: string;
  attributeStatus: string;
  attributeStatusInfo?: Record<string, unknown>;
}

/** One attribute of one variable, as the admin API shows it. */
export interface DeviceModelEntry {
  component: DeviceComponent;
  variable: DeviceVariable;
  attribute_type: string;
  value: string | null;
  mutability: string | null;
  persistent: boolean | null;
  constant: boolean | null;
  characteristics: Record<string, unknown> | null;
  /** NotifyReport, GetVariables or GetConfiguration; null when only set. */
  reported_by: string | null;
  reported_at: string | null;
  set: { value: string; status: string; status_info: Record<string, unknown> | null; at: string } | null;
}

/** The component name a 1.6 configuration key is kept under. */
export const OCPP16_COMPONENT = 'OCPP16';

interface VariableRow {
  component: string;
  component_instance: string;
  evse: string;
  variable: string;
  variable_instance: string;
  attribute_type: string;
  value: string | null;
  mutability: string | null;
  persistent: boolean | null;
  constant: boolean | null;
  characteristics: Record<string, unknown> | null;
  reported_by: string | null;
  reported_at: Date | null;
  set_value: string | null;
  set_status: string | null;
  set_status_info: Record<string, unknown> | null;
  set_at: Date | null;
}

/** The key columns of one attribute. */
interface AttributeKey {
  component: string;
  componentInstance: string;
  evse: string;
  variable: string;
  variableInstance: string;
  attributeType: string;
}

const evseKey = (evse: DeviceComponent['evse']) => (evse ? (evse.connectorId !== undefined ? `${evse.id}/${evse.connectorId}` : String(evse.id)) : '');

function keyOf(component: DeviceComponent, variable: DeviceVariable, attributeType: string | undefined): AttributeKey {
  return {
    component: component.name,
    componentInstance: component.instance ?? '',
    evse: evseKey(component.evse),
    variable: variable.name,
    variableInstance: variable.instance ?? '',
    attributeType: attributeType ?? 'Actual',
  };
}

interface Reported extends AttributeKey {
  value: string | null;
  mutability: string | null;
  persistent: boolean | null;
  constant: boolean | null;
  characteristics: Record<string, unknown> | null;
}

/** NotifyReport's report data as attribute rows (pure). */
export function reportedAttributes(reportData: ReportData[]): Reported[] {
  return reportData.flatMap((data) =>
    data.variableAttribute.map((a) => ({
      ...keyOf(data.component, data.variable, a.type),
      value: a.value ?? null,
      mutability: a.mutability ?? null,
      persistent: a.persistent ?? null,
      constant: a.constant ?? null,
      characteristics: data.variableCharacteristics ?? null,
    })),
  );
}

/** A 1.6 GetConfiguration answer as attribute rows (pure). */
export function configurationAttributes(answer: Configuration16): Reported[] {
  return (answer.configurationKey ?? []).map((k) => ({
    ...keyOf({ name: OCPP16_COMPONENT }, { name: k.key }, 'Actual'),
    value: k.value ?? null,
    mutability: k.readonly ? 'ReadOnly' : 'ReadWrite',
    persistent: null,
    constant: null,
    characteristics: null,
  }));
}

export class ChargerDeviceModel {
  constructor(private readonly db: DataSource) {}

  /** Stores what a 2.0.1 station reported in one NotifyReport message (a report may span several). */
  async reported(chargerId: string, reportData: ReportData[], at: Date = new Date()): Promise<number> {
    return this.upsertReported(chargerId, reportedAttributes(reportData), 'NotifyReport', at);
  }

  /**
   * Stores a 1.6 charger's GetConfiguration answer (for the code that sends GetConfiguration: the
   * admin "send action" API, a boot-time read). Keys are kept under the component `OCPP16`;
   * `unknownKey` stores nothing (the charger has no such key).
   */
  async reportedConfiguration(chargerId: string, answer: Configuration16, at: Date = new Date()): Promise<number> {
    return this.upsertReported(chargerId, configurationAttributes(answer), 'GetConfiguration', at);
  }

  /** Stores a 2.0.1 GetVariables answer: each result with status Accepted and a value is what the station reported. */
  async reportedVariables(
    chargerId: string,
    results: { attributeStatus: string; attributeType?: string; attributeValue?: string; component: DeviceComponent; variable: DeviceVariable }[],
    at: Date = new Date(),
  ): Promise<number> {
    const rows = results
      .filter((r) => r.attributeStatus === 'Accepted' && r.attributeValue !== undefined)
      .map((r) => ({ ...keyOf(r.component, r.variable, r.attributeType), value: r.attributeValue!, mutability: null, persistent: null, constant: null, characteristics: null }));
    return this.upsertReported(chargerId, rows, 'GetVariables', at);
  }

  /**
   * Stores what the operator set and the charger's answer: 2.0.1 SetVariables (each SetVariableData
   * with its result), or a 1.6 ChangeConfiguration (component `OCPP16`, the key as variable). An
   * Accepted value is also what the charger now has (its reported value is updated).
   */
  async set(chargerId: string, outcomes: SetVariableOutcome[], at: Date = new Date()): Promise<void> {
    for (const o of outcomes) {
      const k = keyOf(o.component, o.variable, o.attributeType);
      const accepted = o.attributeStatus === 'Accepted';
      await this.db.query(
        `INSERT INTO charger_variables (charger_id, component, component_instance, evse, variable, variable_instance, attribute_type,
            set_value, set_status, set_status_info, set_at, value)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, CASE WHEN $12 THEN $8 END)
         ON CONFLICT (charger_id, component, component_instance, evse, variable, variable_instance, attribute_type) DO UPDATE SET
           set_value = EXCLUDED.set_value, set_status = EXCLUDED.set_status, set_status_info = EXCLUDED.set_status_info, set_at = EXCLUDED.set_at,
           value = CASE WHEN $12 THEN EXCLUDED.set_value ELSE charger_variables.value END`,
        [chargerId, k.component, k.componentInstance, k.evse, k.variable, k.variableInstance, k.attributeType, o.attributeValue, o.attributeStatus, o.attributeStatusInfo ? JSON.stringify(o.attributeStatusInfo) : null, at, accepted],
      );
    }
  }

  /** A 1.6 ChangeConfiguration and the charger's answer status. */
  async setConfiguration(chargerId: string, key: string, value: string, status: string, at: Date = new Date()): Promise<void> {
    await this.set(chargerId, [{ component: { name: OCPP16_COMPONENT }, variable: { name: key }, attributeValue: value, attributeStatus: status }], at);
  }

  /** When the charger last reported anything of its device model (undefined: never). */
  async lastReportedAt(chargerId: string): Promise<Date | undefined> {
    const [row]: { at: Date | null }[] = await this.db.query(`SELECT max(reported_at) AS at FROM charger_variables WHERE charger_id = $1`, [chargerId]);
    return row?.at ?? undefined;
  }

  /** Every attribute the hub knows of a charger, ordered by component, variable and attribute. */
  async of(chargerId: string): Promise<DeviceModelEntry[]> {
    const rows: VariableRow[] = await this.db.query(
      `SELECT * FROM charger_variables WHERE charger_id = $1 ORDER BY component, component_instance, evse, variable, variable_instance, attribute_type`,
      [chargerId],
    );
    return rows.map((r) => {
      const [evseId, connectorId] = r.evse ? r.evse.split('/').map(Number) : [];
      return {
        component: {
          name: r.component,
          ...(r.component_instance && { instance: r.component_instance }),
          ...(evseId !== undefined && { evse: { id: evseId, ...(connectorId !== undefined && { connectorId }) } }),
        },
        variable: { name: r.variable, ...(r.variable_instance && { instance: r.variable_instance }) },
        attribute_type: r.attribute_type,
        value: r.value,
        mutability: r.mutability,
        persistent: r.persistent,
        constant: r.constant,
        characteristics: r.characteristics,
        reported_by: r.reported_by,
        reported_at: r.reported_at?.toISOString() ?? null,
        set: r.set_status && r.set_at ? { value: r.set_value ?? '', status: r.set_status, status_info: r.set_status_info, at: r.set_at.toISOString() } : null,
      };
    });
  }

  /** One statement per message: a full device model report has hundreds of attributes. */
  private async upsertReported(chargerId: string, reported: Reported[], by: string, at: Date): Promise<number> {
    // An attribute named twice in one message: the last one counts (one row can be written once per statement).
    const rows = [...new Map(reported.map((r) => [JSON.stringify([r.component, r.componentInstance, r.evse, r.variable, r.variableInstance, r.attributeType]), r])).values()];
    if (!rows.length) return 0;
    const column = <K extends keyof Reported>(k: K) => rows.map((r) => r[k]);
    await this.db.query(
      `INSERT INTO charger_variables (charger_id, component, component_instance, evse, variable, variable_instance, attribute_type,
          value, mutability, persistent, constant, characteristics, reported_by, reported_at)
       SELECT $1, c, ci, e, v, vi, t, val, m, p, k, ch::jsonb, $13, $14
         FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::bool[], $11::bool[], $12::text[])
           AS u(c, ci, e, v, vi, t, val, m, p, k, ch)
       ON CONFLICT (charger_id, component, component_instance, evse, variable, variable_instance, attribute_type) DO UPDATE SET
         value = EXCLUDED.value, mutability = COALESCE(EXCLUDED.mutability, charger_variables.mutability),
         persistent = COALESCE(EXCLUDED.persistent, charger_variables.persistent), constant = COALESCE(EXCLUDED.constant, charger_variables.constant),
         characteristics = COALESCE(EXCLUDED.characteristics, charger_variables.characteristics),
         reported_by = EXCLUDED.reported_by, reported_at = EXCLUDED.reported_at`,
      [
        chargerId,
        column('component'),
        column('componentInstance'),
        column('evse'),
        column('variable'),
        column('variableInstance'),
        column('attributeType'),
        column('value'),
        column('mutability'),
        column('persistent'),
        column('constant'),
        rows.map((r) => (r.characteristics ? JSON.stringify(r.characteristics) : null)),
        by,
        at,
      ],
    );
    return rows.length;
  }
}
