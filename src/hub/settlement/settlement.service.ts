import type { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import { lastCompletePeriod, parsePeriodLabel, periodStartInstant, SQL_TRUNC_UNIT, type Period, type PeriodKind } from '../../core/settlement/settlement-core';
import { HubError } from '../../foundation/hub-errors';
import { isValidTimeZone } from '../../core/pricing/local-time';
import { RUN_LOCK, runSettlement, type RunOutcome } from './settlement.run';
import { metrics } from '../../foundation/metrics';
import { csvOf, LINE_CSV_COLUMNS, MISMATCH_CSV_COLUMNS } from './settlement.csv';
import { VERSION_LINES } from './settlement.sql';
import { decimalAmount, findCurrency, roundMoney } from '../../core/money/currencies';

export interface StatementTotalsView {
  line_count: number;
  credit_line_count: number;
  energy_kwh: string;
  time_hours: string;
  parking_hours: string;
  net: string;
  vat: string;
  gross: string;
  lines_without_vat: number;
  mismatch_count: number;
  disputed_line_count: number;
}

export interface StatementView {
  id: string;
  /** Calendar days in `time_zone`, the zone of the CPO/eMSP pair when the statement was cut. */
  period: { kind: PeriodKind; start: string; end: string; label: string; time_zone: string };
  cpo: string;
  emsp: string;
  currency: string;
  status: 'open' | 'closed';
  latest_version: number;
  closed_version: number | null;
  closed_at: Date | null;
  created_at: Date;
  /** Of the closed version when closed, else of the latest. */
  totals: StatementTotalsView;
}

export interface VersionView extends StatementTotalsView {
  version: number;
  run_id: string;
  created_at: Date;
  /** Equal for versions with equal content (an order-free hash sum of the lines; see settlement.run.ts). */
  fingerprint: string;
}

/** One step of a dispute, kept for good: raised, answered or commented by a party, resolved by the operator. */
export interface DisputeStepView {
  kind: 'raised' | 'answered' | 'commented' | 'resolved';
  /** A party as CC/PID, or `operator`. */
  author: string;
  message: string;
  evidence: unknown;
  created_at: string;
}

/** Who acts on a dispute: a party of the statement (CC/PID, upper case) or the hub operator. */
export type DisputeActor = string | 'operator';

export interface DisputeView {
  id: string;
  statement_id: string;
  cpo: string;
  cdr_id: string;
  reason: string;
  raised_by: DisputeActor;
  /** What the raiser claims back, in the statement's currency (exact decimal text), if it said. */
  amount_claimed: string | null;
  evidence: unknown;
  steps: DisputeStepView[];
  status: 'open' | 'resolved';
  resolution: 'credited' | 'withdrawn' | 'rejected' | null;
  note: string | null;
  created_at: Date;
  resolved_at: Date | null;
  /** Credit CDRs the CPO has sent for the disputed CDR (live from the CDR store). */
  credit_cdr_ids: string[];
}

/** What a statement document (PDF) is made of. */
export interface StatementDocumentFacts {
  statement: StatementView;
  version: VersionView;
  lines: { cdr_id: string; credit: boolean; end_date_time: Date; energy_kwh: string; net: string; vat: string | null; gross: string | null; late: boolean; dispute_id: string | null }[];
  cpoName: string;
  emspName: string;
}

/** The time zone a CPO/eMSP pair's statement periods are cut in. */
export interface PairTimeZone {
  cpo: string;
  emsp: string;
  time_zone: string;
  updated_at: Date;
}

/** `CC/PID`, upper case, as statements name parties. */
const PARTY = /^[A-Z]{2}\/[A-Z0-9]{3}$/;

/** The zone furthest ahead of UTC (UTC+14): no period can have begun anywhere before it begins there. */
const EARLIEST_ZONE = 'Pacific/Kiritimati';

export interface SettlementOptions {
  periodKind: PeriodKind;
  /** The zone of a pair with none of its own (SETTLEMENT_TIME_ZONE), also the zone of scheduled runs. */
  defaultTimeZone?: string;
  log: Logger;
  /**
   * Called after a statement is closed (after the commit), e.g. to pay the CPO out (Stripe Connect
   * transfer with the statement id as transfer_group; see toMinorUnits). Its failure is logged; the
   * statement stays closed, so a payout job must be able to find closed, unpaid statements itself.
   */
  onStatementClosed?: (statement: StatementView) => Promise<void> | void;
}

const STATEMENT_SELECT = `
  SELECT s.id, s.period_kind, to_char(s.period_start, 'YYYY-MM-DD') AS period_start, to_char(s.period_end, 'YYYY-MM-DD') AS period_end,
         s.period_label, s.time_zone, s.cpo, s.emsp, s.currency, s.status, s.latest_version, s.closed_version, s.closed_at, s.created_at,
         v.line_count, v.credit_line_count, v.energy_kwh, v.time_hours, v.parking_hours, v.net, v.vat, v.gross,
         v.lines_without_vat, v.mismatch_count, v.disputed_line_count
    FROM settlement_statements s
    JOIN settlement_statement_versions v ON v.statement_id = s.id AND v.version = coalesce(s.closed_version, s.latest_version)`;

const TOTALS_COLUMNS = `line_count, credit_line_count, energy_kwh, time_hours, parking_hours, net, vat, gross, lines_without_vat, mismatch_count, disputed_line_count`;

type Row = Record<string, any>;

const totalsOf = (r: Row): StatementTotalsView => ({
  line_count: r.line_count,
  credit_line_count: r.credit_line_count,
  energy_kwh: r.energy_kwh,
  time_hours: r.time_hours,
  parking_hours: r.parking_hours,
  net: r.net,
  vat: r.vat,
  gross: r.gross,
  lines_without_vat: r.lines_without_vat,
  mismatch_count: r.mismatch_count,
  disputed_line_count: r.disputed_line_count,
});

const statementOf = (r: Row): StatementView => ({
  id: r.id,
  period: { kind: r.period_kind, start: r.period_start, end: r.period_end, label: r.period_label, time_zone: r.time_zone },
  cpo: r.cpo,
  emsp: r.emsp,
  currency: r.currency,
  status: r.status,
  latest_version: r.latest_version,
  closed_version: r.closed_version,
  closed_at: r.closed_at,
  created_at: r.created_at,
  totals: totalsOf(r),
});

/** Line columns as the API and CSV show them (timestamps as Dates, amounts as exact decimal text), by end time then CDR id. */
const LINE_COLUMNS = `cdr_id, credit, credit_reference_id, nets_against, late, session_id, location_id, evse_uid, evse_id,
  start_date_time, end_date_time, energy_kwh, time_hours, parking_hours, tariff_id, net, vat, gross, rating_status, rating_reason, dispute_id`;
const LINE_ORDER = `ORDER BY end_date_time, cdr_id COLLATE "C"`;

export interface StatementFilter {
  period?: string;
  cpo?: string;
  emsp?: string;
  /** Only statements with one of these CPOs or one of these eMSPs (a partner's own, CC/PID). */
  parties?: { cpos: string[]; emsps: string[] };
  status?: 'open' | 'closed';
  limit: number;
  offset: number;
}

/**
 * Settlement between CPOs and eMSPs (docs/settlement.md): runs (on demand and scheduled), statements
 * with immutable versions, closing, CSV exports and disputes. The run itself is settlement.run.ts.
 */
export class SettlementService {
  constructor(
    private readonly db: DataSource,
    private readonly options: SettlementOptions,
  ) {}

  get periodKind(): PeriodKind {
    return this.options.periodKind;
  }

  /** A period from its label in the configured kind, or a 400 naming the expected form. */
  period(label: string): Period {
    const parsed = parsePeriodLabel(label, this.options.periodKind);
    if (typeof parsed === 'string') throw new HubError('invalid', `${parsed}; settlement periods are ${this.options.periodKind}`);
    return parsed;
  }

  /** Settles one period now (all CPO/eMSP/currency statements of it) in one transaction. */
  async run(period: Period, trigger: 'manual' | 'schedule' = 'manual'): Promise<RunOutcome & { period: Period }> {
    if (period.kind !== this.options.periodKind) throw new HubError('invalid', `Settlement periods are ${this.options.periodKind}, not ${period.kind}`);
    if (periodStartInstant(period, EARLIEST_ZONE) > Date.now()) throw new HubError('invalid', `Period ${period.label} has not started yet`);
    const outcome = await metrics.timeSettlementRun(trigger, () =>
      this.db.transaction((tx) => runSettlement(tx, period, trigger, this.defaultTimeZone)),
    );
    this.options.log.info({ period: period.label, run: outcome.runId, statements: outcome.statements.length, lines: outcome.linesWritten }, 'settlement run');
    return { ...outcome, period };
  }

  /**
   * The scheduled run: the last period complete in the default zone. A pair in a zone behind it gets
   * its last CDRs of that period at the next run (runs are repeatable while a statement is open);
   * late CDRs of earlier periods go into open ones by themselves.
   */
  runScheduled(now = Date.now()): Promise<RunOutcome & { period: Period }> {
    return this.run(lastCompletePeriod(now, this.options.periodKind, this.defaultTimeZone), 'schedule');
  }

  private get defaultTimeZone(): string {
    return this.options.defaultTimeZone ?? 'UTC';
  }

  /** The pairs with a zone of their own; every other pair uses the default. */
  async pairTimeZones(): Promise<{ default_time_zone: string; pairs: PairTimeZone[] }> {
    const pairs: PairTimeZone[] = await this.db.query(`SELECT cpo, emsp, time_zone, updated_at FROM settlement_time_zones ORDER BY cpo, emsp`);
    return { default_time_zone: this.defaultTimeZone, pairs };
  }

  /**
   * Sets the zone a pair's periods are cut in. Refused once the pair has statements cut in another
   * zone: a CDR must stay in the statement it was put on, and the same month in two zones would put a
   * few hours of CDRs on two statements.
   */
  async setPairTimeZone(cpo: string, emsp: string, timeZone: string): Promise<PairTimeZone> {
    if (!PARTY.test(cpo) || !PARTY.test(emsp)) throw new HubError('invalid', 'cpo and emsp are parties as CC/PID (e.g. NL/ABC)');
    if (!isValidTimeZone(timeZone)) throw new HubError('invalid', `${JSON.stringify(timeZone)} is not an IANA time zone (e.g. Europe/Amsterdam)`);
    return this.db.transaction(async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [RUN_LOCK]);
      const [cut] = await tx.query(
        `SELECT time_zone, count(*)::int AS statements FROM settlement_statements WHERE cpo = $1 AND emsp = $2 AND time_zone <> $3 GROUP BY time_zone LIMIT 1`,
        [cpo, emsp, timeZone],
      );
      if (cut) {
        throw new HubError('conflict', `${cpo} and ${emsp} have ${cut.statements} statement(s) cut in ${cut.time_zone}; a pair's time zone cannot change once it has statements`);
      }
      const [row] = await tx.query(
        `INSERT INTO settlement_time_zones (cpo, emsp, time_zone) VALUES ($1, $2, $3)
         ON CONFLICT (cpo, emsp) DO UPDATE SET time_zone = EXCLUDED.time_zone, updated_at = now()
         RETURNING cpo, emsp, time_zone, updated_at`,
        [cpo, emsp, timeZone],
      );
      return row;
    });
  }

  async listRuns(limit = 50): Promise<Row[]> {
    return this.db.query(
      `SELECT id::text AS id, period_kind, to_char(period_start, 'YYYY-MM-DD') AS period_start, trigger, started_at, finished_at,
              statements, versions_written, lines_written::int AS lines_written
         FROM settlement_runs ORDER BY id DESC LIMIT $1`,
      [limit],
    );
  }

  async listStatements(filter: StatementFilter): Promise<StatementView[]> {
    const rows: Row[] = await this.db.query(
      `${STATEMENT_SELECT}
        WHERE ($1::text IS NULL OR s.period_label = $1) AND ($2::text IS NULL OR s.cpo = $2) AND ($3::text IS NULL OR s.emsp = $3)
          AND ($4::text IS NULL OR s.status = $4) AND s.period_kind = $5
          AND ($8::text[] IS NULL OR s.cpo = ANY($8) OR s.emsp = ANY($9))
        ORDER BY s.period_start DESC, s.cpo, s.emsp, s.currency LIMIT $6 OFFSET $7`,
      [
        filter.period ?? null,
        filter.cpo ?? null,
        filter.emsp ?? null,
        filter.status ?? null,
        this.options.periodKind,
        filter.limit,
        filter.offset,
        filter.parties?.cpos ?? null,
        filter.parties?.emsps ?? [],
      ],
    );
    return rows.map(statementOf);
  }

  async statement(id: string): Promise<StatementView> {
    const [row] = await this.db.query(`${STATEMENT_SELECT} WHERE s.id = $1`, [id]);
    if (!row) throw new HubError('not_found', `No settlement statement ${id}`);
    return statementOf(row);
  }

  async versions(id: string): Promise<VersionView[]> {
    await this.statement(id);
    const rows: Row[] = await this.db.query(
      `SELECT version, run_id::text AS run_id, created_at, fingerprint, ${TOTALS_COLUMNS}
         FROM settlement_statement_versions WHERE statement_id = $1 ORDER BY version`,
      [id],
    );
    return rows.map((r) => ({ version: r.version, run_id: r.run_id, created_at: r.created_at, fingerprint: r.fingerprint, ...totalsOf(r) }));
  }

  private async versionRow(id: string, version?: number): Promise<{ statement: StatementView; version: VersionView }> {
    const statement = await this.statement(id);
    const wanted = version ?? statement.closed_version ?? statement.latest_version;
    const found = (await this.versions(id)).find((v) => v.version === wanted);
    if (!found) throw new HubError('not_found', `Statement ${id} has no version ${wanted}`);
    return { statement, version: found };
  }

  /** The lines of a version (query: LINE_COLUMNS, then any tail such as OFFSET/LIMIT). */
  private lines(statement: StatementView, version: number, select: string, tail = '', extra: unknown[] = []): Promise<Row[]> {
    return this.db.query(`SELECT ${select} FROM (${VERSION_LINES}) l ${tail}`, [statement.id, version, SQL_TRUNC_UNIT[statement.period.kind], ...extra]);
  }

  /** One version with its lines (a page of them), its re-rating mismatches and the disputes of its lines. */
  async version(id: string, version: number | undefined, page: { offset: number; limit: number }) {
    const found = await this.versionRow(id, version);
    const [lines, mismatches, disputes] = await Promise.all([
      this.lines(found.statement, found.version.version, LINE_COLUMNS, `${LINE_ORDER} OFFSET $4 LIMIT $5`, [page.offset, page.limit]),
      this.mismatchRows(found.statement, found.version.version),
      this.disputesOfVersion(id, found.version.version),
    ]);
    return { ...found, lines, mismatches, disputes };
  }

  /** A version's lines as an invoice is matched against them (the shown version, closed else latest, unless named). */
  async invoiceLines(id: string, version?: number): Promise<{ statement: StatementView; version: number; lines: { cdr_id: string; credit: boolean; net: string; gross: string | null }[] }> {
    const found = await this.versionRow(id, version);
    const lines = await this.lines(found.statement, found.version.version, `cdr_id, credit, net::text AS net, gross::text AS gross`, LINE_ORDER);
    return { statement: found.statement, version: found.version.version, lines: lines as never };
  }

  /** Lines the re-rating flagged, with the differences it recorded. */
  private mismatchRows(statement: StatementView, version: number): Promise<Row[]> {
    return this.lines(
      statement,
      version,
      `cdr_id, rating_status AS status, rating_reason AS reason, CASE WHEN rating_status = 'mismatch' THEN coalesce(rating_differences, '[]') ELSE '[]' END AS differences`,
      `WHERE rating_status IN ('mismatch', 'unrated') ${LINE_ORDER}`,
    );
  }

  private async disputesOfVersion(id: string, version: number): Promise<DisputeView[]> {
    const rows: Row[] = await this.db.query(
      `${DISPUTE_SELECT}
        WHERE d.id IN (SELECT unnest(dispute_ids) FROM settlement_statement_versions WHERE statement_id = $1 AND version = $2)
           OR d.statement_id = $1
        ORDER BY d.created_at, d.id`,
      [id, version],
    );
    return rows as DisputeView[];
  }

  /**
   * Closes a statement: its version (the latest, or `version`, which must be the latest so nobody
   * closes what they did not review) becomes final. CDRs not on it that belong to its period are
   * late from now on and go into the next open period.
   */
  async close(id: string, version?: number): Promise<StatementView> {
    await this.db.transaction(async (tx) => {
      const [row] = await tx.query(`SELECT status, latest_version FROM settlement_statements WHERE id = $1 FOR UPDATE`, [id]);
      if (!row) throw new HubError('not_found', `No settlement statement ${id}`);
      if (row.status === 'closed') throw new HubError('conflict', `Statement ${id} is already closed`);
      if (version !== undefined && version !== row.latest_version) {
        throw new HubError('conflict', `Statement ${id} is at version ${row.latest_version}, not ${version}; review the latest version before closing`);
      }
      await tx.query(`UPDATE settlement_statements SET status = 'closed', closed_version = latest_version, closed_at = now() WHERE id = $1`, [id]);
    });
    const closed = await this.statement(id);
    try {
      await this.options.onStatementClosed?.(closed);
    } catch (error) {
      this.options.log.error({ err: error, statement: id }, 'onStatementClosed failed');
    }
    return closed;
  }

  async linesCsv(id: string, version?: number): Promise<string> {
    const { statement, version: v } = await this.versionRow(id, version);
    const lines = await this.lines(statement, v.version, LINE_COLUMNS, LINE_ORDER);
    const context = { statement_id: id, version: v.version, period: statement.period.label, cpo: statement.cpo, emsp: statement.emsp, currency: statement.currency };
    return csvOf(LINE_CSV_COLUMNS, lines.map((line) => ({ ...context, ...line })));
  }

  /**
   * What a statement document shows: the statement, the version (the shown one unless named), its lines
   * and the two parties' names (their roles' business details, else the party's name, else the address).
   */
  async statementDocument(id: string, version?: number): Promise<StatementDocumentFacts> {
    const { statement, version: v } = await this.versionRow(id, version);
    const lines = await this.lines(statement, v.version, LINE_COLUMNS, LINE_ORDER);
    const names: { role: string; address: string; name: string }[] = await this.db.query(
      `SELECT r.role, r.country_code || '/' || r.party_id AS address, coalesce(r.business_details->>'name', p.name) AS name
         FROM party_roles r JOIN parties p ON p.id = r.party_uuid
        WHERE (r.role = 'CPO' AND r.country_code || '/' || r.party_id = $1) OR (r.role = 'EMSP' AND r.country_code || '/' || r.party_id = $2)`,
      [statement.cpo, statement.emsp],
    );
    const nameOf = (role: string, address: string) => names.find((n) => n.role === role && n.address === address)?.name ?? address;
    return { statement, version: v, lines: lines as StatementDocumentFacts['lines'], cpoName: nameOf('CPO', statement.cpo), emspName: nameOf('EMSP', statement.emsp) };
  }

  async mismatchesCsv(id: string, version?: number): Promise<string> {
    const { statement, version: v } = await this.versionRow(id, version);
    const rows = (await this.mismatchRows(statement, v.version)).flatMap((m) => {
      const base = { statement_id: id, version: v.version, cdr_id: m.cdr_id, status: m.status, reason: m.reason };
      const differences = m.differences as { field: string; computed: unknown; reported: unknown; difference: unknown }[];
      return differences.length ? differences.map((d) => ({ ...base, ...d })) : [base];
    });
    return csvOf(MISMATCH_CSV_COLUMNS, rows);
  }

  /**
   * A CDR line of a statement is declined, by one of its parties (through the partner API) or by the
   * operator. The CDR must be a non-credit line of the statement's shown version (closed, else
   * latest); one open dispute per CDR. The claim and evidence (e.g. signed meter data) are kept with
   * the dispute and its first step.
   */
  async createDispute(
    statementId: string,
    cdrId: string,
    reason: string,
    raisedBy: DisputeActor = 'operator',
    claim: { amountClaimed?: string; evidence?: unknown } = {},
  ): Promise<DisputeView> {
    const { statement, version } = await this.versionRow(statementId);
    const [line] = await this.db.query(
      `SELECT o.data->'credit' = 'true'::jsonb AS credit
         FROM settlement_statement_versions v
         JOIN ocpi_objects o ON o.module = 'cdrs' AND o.owner = $3 AND o.object_id = $4 AND o.object_type = ''
        WHERE v.statement_id = $1 AND v.version = $2 AND $4 = ANY(v.cdr_ids)`,
      [statementId, version.version, statement.cpo, cdrId],
    );
    if (!line) throw new HubError('invalid', `CDR ${cdrId} is not on statement ${statementId} (version ${version.version})`);
    if (line.credit) throw new HubError('invalid', `CDR ${cdrId} is a credit CDR; dispute the CDR it credits`);
    if (claim.amountClaimed !== undefined) {
      const currency = findCurrency(statement.currency);
      if (currency && !roundMoney(claim.amountClaimed, currency.code).equals(decimalAmount(claim.amountClaimed))) {
        throw new HubError('invalid', `amount_claimed ${claim.amountClaimed} has more decimals than ${currency.code} has (${currency.decimals})`);
      }
    }
    const evidence = claim.evidence === undefined ? null : JSON.stringify(claim.evidence);
    const id = await this.db.transaction(async (tx) => {
      const inserted: Row[] = await tx.query(
        `INSERT INTO settlement_disputes (statement_id, cpo, cdr_id, reason, raised_by, amount_claimed, evidence) VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (cpo, cdr_id) WHERE status = 'open' DO NOTHING RETURNING id`,
        [statementId, statement.cpo, cdrId, reason, raisedBy, claim.amountClaimed ?? null, evidence],
      );
      if (!inserted.length) throw new HubError('conflict', `CDR ${statement.cpo}/${cdrId} already has an open dispute`);
      await tx.query(`INSERT INTO settlement_dispute_steps (dispute_id, kind, author, message, evidence) VALUES ($1, 'raised', $2, $3, $4)`, [inserted[0].id, raisedBy, reason, evidence]);
      return inserted[0].id as string;
    });
    return this.dispute(id);
  }

  /**
   * A party of the statement answers a dispute (the side that did not raise it) or adds to it (the
   * side that did); only while it is open.
   */
  async addDisputeStep(id: string, author: DisputeActor, message: string, evidence?: unknown): Promise<DisputeView> {
    await this.db.transaction(async (tx) => {
      const [row] = await tx.query(`SELECT status, raised_by FROM settlement_disputes WHERE id = $1 FOR UPDATE`, [id]);
      if (!row) throw new HubError('not_found', `No dispute ${id}`);
      if (row.status !== 'open') throw new HubError('conflict', `Dispute ${id} is resolved; it takes no more answers`);
      const kind = author === row.raised_by ? 'commented' : 'answered';
      await tx.query(`INSERT INTO settlement_dispute_steps (dispute_id, kind, author, message, evidence) VALUES ($1, $2, $3, $4, $5)`, [
        id,
        kind,
        author,
        message,
        evidence === undefined ? null : JSON.stringify(evidence),
      ]);
    });
    return this.dispute(id);
  }

  async dispute(id: string): Promise<DisputeView> {
    const [row] = await this.db.query(`${DISPUTE_SELECT} WHERE d.id = $1`, [id]);
    if (!row) throw new HubError('not_found', `No dispute ${id}`);
    return row;
  }

  async listDisputes(filter: { status?: 'open' | 'resolved'; statementId?: string; limit: number; parties?: StatementFilter['parties'] }): Promise<DisputeView[]> {
    return this.db.query(
      `${DISPUTE_SELECT} WHERE ($1::text IS NULL OR d.status = $1) AND ($2::uuid IS NULL OR d.statement_id = $2)
          AND ($4::text[] IS NULL OR EXISTS (SELECT 1 FROM settlement_statements s WHERE s.id = d.statement_id AND (s.cpo = ANY($4) OR s.emsp = ANY($5))))
        ORDER BY d.created_at DESC, d.id LIMIT $3`,
      [filter.status ?? null, filter.statementId ?? null, filter.limit, filter.parties?.cpos ?? null, filter.parties?.emsps ?? []],
    );
  }

  /** Ends a dispute: credited (the CPO sent a credit CDR), withdrawn (by the eMSP) or rejected (the CDR stands). */
  async resolveDispute(id: string, resolution: 'credited' | 'withdrawn' | 'rejected', note?: string): Promise<DisputeView> {
    const dispute = await this.dispute(id);
    if (dispute.status !== 'open') throw new HubError('conflict', `Dispute ${id} is already resolved (${dispute.resolution})`);
    if (resolution === 'credited' && dispute.credit_cdr_ids.length === 0) {
      throw new HubError('conflict', `No credit CDR for ${dispute.cpo}/${dispute.cdr_id} has reached the hub; it cannot be resolved as credited yet`);
    }
    await this.db.transaction(async (tx) => {
      const [, changed] = await tx.query(
        `UPDATE settlement_disputes SET status = 'resolved', resolution = $2, note = $3, resolved_at = now() WHERE id = $1 AND status = 'open'`,
        [id, resolution, note ?? null],
      );
      if (changed === 0) throw new HubError('conflict', `Dispute ${id} was resolved meanwhile`);
      await tx.query(`INSERT INTO settlement_dispute_steps (dispute_id, kind, author, message) VALUES ($1, 'resolved', 'operator', $2)`, [
        id,
        `${resolution}${note ? `: ${note}` : ''}`,
      ]);
    });
    return this.dispute(id);
  }
}

/** A dispute with the credit CDRs its CPO has sent for the disputed CDR (credit_reference_id), oldest first. */
const DISPUTE_SELECT = `
  SELECT d.id, d.statement_id, d.cpo, d.cdr_id, d.reason, d.raised_by, d.amount_claimed::text AS amount_claimed, d.evidence,
         d.status, d.resolution, d.note, d.created_at, d.resolved_at,
         coalesce((SELECT json_agg(json_build_object('kind', s.kind, 'author', s.author, 'message', s.message, 'evidence', s.evidence, 'created_at', s.created_at) ORDER BY s.id)
                     FROM settlement_dispute_steps s WHERE s.dispute_id = d.id), '[]') AS steps,
         coalesce((SELECT array_agg(o.object_id ORDER BY o.seq) FROM ocpi_objects o
                    WHERE o.module = 'cdrs' AND o.data->'credit' = 'true'::jsonb
                      AND o.owner = d.cpo AND o.data->>'credit_reference_id' = d.cdr_id), '{}') AS credit_cdr_ids
    FROM settlement_disputes d`;
