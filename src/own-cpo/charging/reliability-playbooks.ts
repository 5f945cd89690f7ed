import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { HubError } from '../../foundation/hub-errors';
import { playbookDecision, type PlaybookAction, type PlaybookTrigger } from '../../core/reliability/reliability-core';
import { ChargerRefused, type ChargerCalls } from '../ocpp/charger-calls';
import { answerStatus, RELIABILITY_CALLS } from '../ocpp/charger-protocols';
import type { TransactionsService } from './transactions.service';
import type { RoleAddress } from '../../hub/ocpi/party-address';

const TRIGGERS: readonly string[] = ['charger_offline', 'health_dropping', 'success_rate_low', 'available_while_failing'];

/** An open reliability alert, as hub/reliability keeps it (subject: an EVSE key or `charger:<id>`). */
export interface PlaybookAlert {
  subject: string;
  kind: string;
}

export interface PlaybookSettings {
  site_id: string;
  enabled: boolean;
  max_actions_per_day: number;
  updated_at: string;
}

export interface PlaybookActionRecord {
  id: string;
  charger_id: string;
  ocpp_connector: string | null;
  site_id: string | null;
  trigger: string;
  subject: string;
  action: PlaybookAction | null;
  outcome: 'accepted' | 'rejected' | 'refused' | 'no_answer' | 'skipped';
  reason: string;
  call: unknown;
  answer: unknown;
  at: string;
}

/**
 * Carries out the guarded playbooks (core/reliability/reliability-playbook.ts) on the own chargers of
 * sites that opted in: for each open reliability alert naming an own charger or EVSE, it reads what
 * the guards need (the site's setting, the connection, running transactions, the actions of the last
 * day), lets the core decide, sends the call shaped for the charger's OCPP version, and audits the
 * decision with the charger's answer in reliability_actions — a decision held back by a guard is kept
 * too (outcome `skipped`, with why), once per alert and reason, so the audit shows what was not done.
 */
export class ReliabilityPlaybooks {
  constructor(private readonly deps: { db: DataSource; log: Logger; calls: ChargerCalls; transactions: TransactionsService; ownCpo: RoleAddress; callTimeoutMs?: number; now?: () => Date }) {}

  private now(): number {
    return (this.deps.now?.() ?? new Date()).getTime();
  }

  async settings(): Promise<PlaybookSettings[]> {
    const rows: (Omit<PlaybookSettings, 'updated_at'> & { updated_at: Date })[] = await this.deps.db.query(`SELECT site_id, enabled, max_actions_per_day, updated_at FROM reliability_playbooks ORDER BY site_id`);
    return rows.map((r) => ({ ...r, updated_at: r.updated_at.toISOString() }));
  }

  async configure(siteId: string, setting: { enabled: boolean; max_actions_per_day?: number }): Promise<PlaybookSettings> {
    const [site] = await this.deps.db.query(`SELECT id FROM sites WHERE id = $1`, [siteId]);
    if (!site) throw new HubError('not_found', `Unknown site ${siteId}`);
    await this.deps.db.query(
      `INSERT INTO reliability_playbooks (site_id, enabled, max_actions_per_day) VALUES ($1, $2, coalesce($3, 3))
       ON CONFLICT (site_id) DO UPDATE SET enabled = EXCLUDED.enabled, max_actions_per_day = coalesce($3, reliability_playbooks.max_actions_per_day), updated_at = now()`,
      [siteId, setting.enabled, setting.max_actions_per_day ?? null],
    );
    return (await this.settings()).find((s) => s.site_id === siteId)!;
  }

  async actions(filter: { charger?: string; limit: number }): Promise<PlaybookActionRecord[]> {
    const rows: (Omit<PlaybookActionRecord, 'at'> & { at: Date })[] = await this.deps.db.query(
      `SELECT id::text, charger_id, ocpp_connector, site_id, trigger, subject, action, outcome, reason, call, answer, at
         FROM reliability_actions WHERE ($1::text IS NULL OR charger_id = $1) ORDER BY at DESC, id DESC LIMIT $2`,
      [filter.charger ?? null, filter.limit],
    );
    return rows.map((r) => ({ ...r, at: r.at.toISOString() }));
  }

  /** Considers every open alert (the scheduler calls this every minute); returns what was recorded. */
  async run(open: PlaybookAlert[]): Promise<PlaybookActionRecord[]> {
    const done: PlaybookActionRecord[] = [];
    for (const alert of open) {
      if (!TRIGGERS.includes(alert.kind)) continue;
      for (const target of await this.targetsOf(alert.subject)) {
        const record = await this.consider(alert.kind as PlaybookTrigger, alert.subject, target);
        if (record) done.push(record);
      }
    }
    return done;
  }

  /** The own charger (and connector) an alert's subject names: `charger:<id>`, or an own EVSE key mapped to its connector(s). */
  private async targetsOf(subject: string): Promise<{ chargerId: string; ocppConnector?: string }[]> {
    if (subject.startsWith('charger:')) return [{ chargerId: subject.slice('charger:'.length) }];
    const [cc, pid, location, ...uid] = subject.split('/');
    if (cc !== this.deps.ownCpo.countryCode || pid !== this.deps.ownCpo.partyId) return [];
    const rows: { id: string; connector: string }[] = await this.deps.db.query(
      `SELECT c.id, m->>'ocpp_connector' AS connector FROM chargers c CROSS JOIN LATERAL jsonb_array_elements(c.evses) m
        WHERE c.location_id = $1 AND m->>'evse_uid' = $2 ORDER BY c.id, connector`,
      [location, uid.join('/')],
    );
    return rows.map((r) => ({ chargerId: r.id, ocppConnector: r.connector }));
  }

  private async consider(trigger: PlaybookTrigger, subject: string, target: { chargerId: string; ocppConnector?: string }): Promise<PlaybookActionRecord | undefined> {
    const { db, calls, transactions } = this.deps;
    const { chargerId } = target;
    const [setting]: { site_id: string; enabled: boolean | null; max_actions_per_day: number | null }[] = await db.query(
      `SELECT sc.site_id, p.enabled, p.max_actions_per_day FROM site_chargers sc LEFT JOIN reliability_playbooks p ON p.site_id = sc.site_id WHERE sc.charger_id = $1`,
      [chargerId],
    );
    // Not opted in: nothing to do and nothing to audit (the operator never asked for automatic actions).
    if (!setting?.enabled) return undefined;
    const protocol = await calls.protocolOf(chargerId);
    const now = this.now();
    const history: { action: PlaybookAction; at: Date; ocpp_connector: string | null }[] = await db.query(
      `SELECT action, at, ocpp_connector FROM reliability_actions WHERE charger_id = $1 AND action IS NOT NULL AND at > $2 ORDER BY at`,
      [chargerId, new Date(now - 86_400_000)],
    );
    const active = (await transactions.active(chargerId)).map((t) => t.ocppConnector);
    const decision = playbookDecision({
      trigger,
      ocppConnector: target.ocppConnector,
      now,
      enabled: true,
      maxPerDay: setting.max_actions_per_day ?? 3,
      connected: protocol !== undefined,
      activeConnectors: active,
      history: history.map((h) => ({ action: h.action, at: h.at.getTime(), ocppConnector: h.ocpp_connector ?? undefined })),
    });
    const audit = async (action: PlaybookAction | null, outcome: PlaybookActionRecord['outcome'], call?: unknown, answer?: unknown) => {
      const [row] = await db.query(
        `INSERT INTO reliability_actions (charger_id, ocpp_connector, site_id, trigger, subject, action, outcome, reason, call, answer, at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id::text`,
        [chargerId, decision.act === 'inoperative' ? decision.ocppConnector : (target.ocppConnector ?? null), setting.site_id, trigger, subject, action, outcome, decision.reason,
          call === undefined ? null : JSON.stringify(call), answer === undefined ? null : JSON.stringify(answer), new Date(now)],
      );
      return (await this.actions({ charger: chargerId, limit: 50 })).find((a) => a.id === row.id);
    };
    if (decision.act === null) {
      // A guard held it back: audited once per alert and reason (the job looks every minute).
      const [same] = await db.query(`SELECT 1 FROM reliability_actions WHERE charger_id = $1 AND subject = $2 AND trigger = $3 AND outcome = 'skipped' AND reason = $4 AND at > $5`, [
        chargerId, subject, trigger, decision.reason, new Date(now - 86_400_000),
      ]);
      return same ? undefined : audit(null, 'skipped');
    }
    const shapes = RELIABILITY_CALLS[protocol!];
    const call = decision.act === 'inoperative' ? shapes.availability(decision.ocppConnector!, false) : shapes.reset(decision.act === 'soft_reset' ? 'soft' : 'hard');
    let outcome: PlaybookActionRecord['outcome'];
    let answer: unknown;
    try {
      answer = await calls.call(chargerId, call.action, call.params, this.deps.callTimeoutMs ?? 30_000);
      // ChangeAvailability may answer Scheduled (it applies once the connector is free): the charger took it.
      outcome = ['Accepted', 'Scheduled'].includes(answerStatus(answer) ?? '') ? 'accepted' : 'rejected';
    } catch (error) {
      outcome = error instanceof ChargerRefused ? 'refused' : 'no_answer';
      answer = { error: (error as Error).message };
    }
    this.deps.log.warn({ charger: chargerId, action: decision.act, outcome, reason: decision.reason }, `playbook: ${decision.act} of ${chargerId} ${outcome}`);
    return audit(decision.act, outcome, call, answer);
  }
}
