import { updatedRows } from '../../db/updated-rows';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type Decimal from 'decimal.js';
import type { Logger } from 'pino';
import Stripe from 'stripe';
import type { DataSource } from 'typeorm';
import { formatMinorUnits, toMinorUnits } from '../../core/payments/stripe-amounts';
import { type CostDecision, decideOnCost, refundFor, settlementFor } from '../../core/payments/payment-rules';
import { HubError } from '../../foundation/hub-errors';
import type { ChargersService } from '../chargers/chargers.service';
import type { PaymentsConfig } from '../../foundation/payments-config';

/** The idTags the hub issues for ad hoc payments: "PAY" and 17 characters, within OCPP 1.6's 20. */
export const PAYMENT_ID_TAG = /^PAY[0-9A-Z]{17}$/;

/** A Stripe Connect account id. */
export const STRIPE_ACCOUNT = /^acct_[A-Za-z0-9]{1,64}$/;

export type PaymentStatus = 'created' | 'held' | 'settling' | 'captured' | 'canceled' | 'failed';

/** One ad hoc payment; amounts are integers of the currency's minor unit. */
export interface Payment {
  id: string;
  idTag: string;
  chargerId: string;
  connector: string;
  status: PaymentStatus;
  currency: string;
  holdAmount: number;
  paymentIntentId: string | null;
  heldAmount: number | null;
  lastCost: number | null;
  cdrId: string | null;
  finalCost: number | null;
  capturedAmount: number | null;
  uncollectedAmount: number | null;
  refundedAmount: number;
  failure: string | null;
  /** Set when the driver pays on Stripe's hosted Checkout page (the driver's page); the PaymentIntent follows. */
  checkoutSessionId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** A payment started on the driver's page: where to send the driver, and the secret their cookie keeps. */
export interface StartedCheckout {
  payment: Payment;
  /** Stripe's hosted Checkout page for this payment. */
  checkoutUrl: string;
  /** Given to the driver's browser once (a cookie); only its digest is stored. */
  driverSecret: string;
}

/** A new payment, with the client secret the driver's browser confirms the PaymentIntent with. */
export interface StartedPayment {
  payment: Payment;
  clientSecret: string;
}

export interface StartChargingRequest {
  chargerId: string;
  connector: string;
  idTag: string;
  paymentId: string;
}

/** Starts the paid session at the charger (a remote start); a throw releases the hold. */
export type StartCharging = (request: StartChargingRequest) => Promise<void>;

/** What the charging side learns when a driver presents an idTag: only payments' idTags get an answer. */
export interface PaymentAuthorization {
  /** True while the hold stands and the session is not settled. */
  accepted: boolean;
  /** The amount held, a decimal string in major units ("50.00"). */
  holdAmount: string;
  currency: string;
}

export interface SessionSettlement {
  status: 'captured' | 'canceled';
  /** Decimal strings in major units. */
  capturedAmount: string;
  /** The part of the final cost the hold did not cover (the charger stopped a little late). */
  uncollectedAmount: string;
  currency: string;
}

export interface CreditRefund {
  creditCdrId: string;
  /** What was refunded (decimal string, major units); less than the credit when the credit exceeds what is left captured. */
  refundedAmount: string;
  currency: string;
  stripeRefundId: string | null;
}

export interface StatementPayout {
  statementId: string;
  destinationAccount: string;
  amount: string;
  currency: string;
  stripeTransferId: string;
}

/** A statement's payout as the operator sees it: paid, waiting for its next attempt, or held. */
export interface PayoutView {
  statement_id: string;
  destination_account: string;
  /** In the currency's minor units, as Stripe counts them. */
  amount: number;
  currency: string;
  status: 'paid' | 'retrying' | 'held';
  stripe_transfer_id: string | null;
  attempts: number;
  last_error: string | null;
  last_attempt_at: Date | null;
  next_attempt_at: Date | null;
  held_at: Date | null;
  created_at: Date;
  paid_at: Date | null;
}

const PAYOUT_STATUS = `CASE WHEN stripe_transfer_id IS NOT NULL THEN 'paid' WHEN held_at IS NOT NULL THEN 'held' ELSE 'retrying' END`;
/** A PayoutView per row of `payouts`. */
const PAYOUT_SELECT = `SELECT statement_id, destination_account, amount::int AS amount, currency, ${PAYOUT_STATUS} AS status, stripe_transfer_id,
         attempts, last_error, last_attempt_at, next_attempt_at, held_at, created_at, paid_at
    FROM payouts`;

export interface WebhookOutcome {
  eventId: string;
  type: string;
  /** processed: it concerned a payment; ignored: not ours or a type we do not act on; duplicate: seen before. */
  outcome: 'processed' | 'ignored' | 'duplicate';
}

/** Payments are configured off (no STRIPE_SECRET_KEY); the HTTP layer answers 503 with this sentence. */
export class PaymentsUnavailableError extends Error {
  constructor() {
    super('Payments are off on this hub: it has no Stripe key (STRIPE_SECRET_KEY)');
  }
}

/** A webhook whose Stripe-Signature does not verify over the raw body; answered 400. */
export class WebhookSignatureError extends Error {}

/** Connector statuses (OCPP 1.6 and 2.0.1) in which a new paid session cannot start. */
const BUSY_CONNECTOR = new Set(['Charging', 'SuspendedEV', 'SuspendedEVSE', 'Finishing', 'Reserved', 'Unavailable', 'Faulted']);

/** An event claimed by an instance that died mid-processing may be taken again after this long. */
const EVENT_RECLAIM_AFTER = '5 minutes';

interface PaymentRow {
  id: string;
  id_tag: string;
  charger_id: string;
  connector: string;
  status: PaymentStatus;
  currency: string;
  hold_amount: string;
  payment_intent_id: string | null;
  client_secret: string | null;
  held_amount: string | null;
  last_cost: string | null;
  cdr_id: string | null;
  final_cost: string | null;
  captured_amount: string | null;
  uncollected_amount: string | null;
  refunded_amount: string;
  failure: string | null;
  checkout_session_id: string | null;
  driver_secret_digest: string | null;
  created_at: Date;
  updated_at: Date;
}

const amountOrNull = (value: string | null) => (value === null ? null : Number(value));

function toPayment(row: PaymentRow): Payment {
  return {
    id: row.id,
    idTag: row.id_tag,
    chargerId: row.charger_id,
    connector: row.connector,
    status: row.status,
    currency: row.currency,
    holdAmount: Number(row.hold_amount),
    paymentIntentId: row.payment_intent_id,
    heldAmount: amountOrNull(row.held_amount),
    lastCost: amountOrNull(row.last_cost),
    cdrId: row.cdr_id,
    finalCost: amountOrNull(row.final_cost),
    capturedAmount: amountOrNull(row.captured_amount),
    uncollectedAmount: amountOrNull(row.uncollected_amount),
    refundedAmount: Number(row.refunded_amount),
    failure: row.failure,
    checkoutSessionId: row.checkout_session_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** The row an UPDATE … RETURNING changed, if any (TypeORM answers an UPDATE as [rows, count]). */
async function updated<T>(db: DataSource, sql: string, parameters: unknown[]): Promise<T | undefined> {
  return (await updatedRows<T>(db, sql, parameters))[0];
}

/** The stored form of a driver's cookie secret: a digest (the secret has 192 random bits, so a plain SHA-256 is enough). */
function secretDigest(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** A fresh idTag: 17 characters of Crockford base32 (no I, L, O, U) after "PAY", about 85 random bits. */
function newIdTag(): string {
  const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  return `PAY${[...randomBytes(17)].map((b) => alphabet[b & 31]).join('')}`;
}

/**
 * The Idempotency-Key of every POST to Stripe: derived from our own ids and the operation, so a retry
 * (by the SDK after a lost answer, or by us after a crash) is the same request to Stripe and can never
 * hold, capture, refund or transfer twice.
 */
export function idempotencyKey(subject: 'payment' | 'statement', id: string, operation: string): string {
  return `ocpi-hub/${subject}/${id}/${operation}`;
}

/** Decimal input (OCPI numbers, decimal strings, decimal.js values) as minor units, or a 400 naming the field. */
function minorUnits(amount: Decimal.Value, currency: string, field: string): number {
  try {
    return toMinorUnits(amount, currency);
  } catch (error) {
    throw new HubError('invalid', `${field}: ${(error as Error).message}`);
  }
}

/**
 * Ad hoc driver payments at the hub's own chargers, with Stripe: a PaymentIntent with manual capture
 * holds an amount, a signed webhook says the hold stands and the session is started, the charging side
 * reports the running cost (the session stops when the hold is used up) and settles the final cost
 * from the CDR (captured, or the hold released at zero), and credit CDRs are refunded. CPOs are paid
 * their settlement statements as Stripe Connect transfers. See docs/payments.md.
 */
export class PaymentsService {
  private readonly stripe?: Stripe;
  private startCharging?: StartCharging;

  constructor(
    private readonly deps: {
      db: DataSource;
      log: Logger;
      chargers: Pick<ChargersService, 'find'>;
      config: PaymentsConfig;
      /** Starts a held payment's session (the hub wires it to a remote start); see useStartCharging(). */
      startCharging?: StartCharging;
    },
  ) {
    const stripe = deps.config.stripe;
    if (stripe) {
      this.stripe = new Stripe(stripe.secretKey, {
        host: stripe.host,
        port: stripe.port,
        protocol: stripe.protocol,
        // Lost answers and 5xx are retried by the SDK with the same Idempotency-Key.
        maxNetworkRetries: 2,
        timeout: 20_000,
        telemetry: false,
        appInfo: { name: 'ocpi-hub' },
      });
    }
    this.startCharging = deps.startCharging;
  }

  /** True when a Stripe key is configured. */
  get enabled(): boolean {
    return this.stripe !== undefined;
  }

  /** What a new payment holds on the card: a decimal string in major units, and its currency. */
  holdTerms(): { holdAmount: string; currency: string } {
    return { holdAmount: formatMinorUnits(this.deps.config.holdAmount, this.deps.config.currency), currency: this.deps.config.currency };
  }

  /** Sets what starts a held payment's session, for wiring done after construction (and tests). */
  useStartCharging(startCharging: StartCharging): void {
    this.startCharging = startCharging;
  }

  private requireStripe(): Stripe {
    if (!this.stripe) throw new PaymentsUnavailableError();
    return this.stripe;
  }

  /** Runs a Stripe call; Stripe's refusals and unreachability become a 502 with a sentence saying which. */
  private async callStripe<T>(what: string, call: (stripe: Stripe) => Promise<T>): Promise<T> {
    const stripe = this.requireStripe();
    try {
      return await call(stripe);
    } catch (error) {
      if (error instanceof Stripe.errors.StripeConnectionError) {
        throw new HubError('partner_failed', `Stripe could not be reached to ${what}; try again shortly`);
      }
      if (error instanceof Stripe.errors.StripeError) {
        this.deps.log.warn({ type: error.type, code: error.code, requestId: error.requestId }, `Stripe refused to ${what}`);
        throw new HubError('partner_failed', `Stripe refused to ${what}: ${error.message}`);
      }
      throw error;
    }
  }

  // ── Drivers ──────────────────────────────────────────────────────────────────────────────────

  /**
   * Starts an ad hoc payment at one of the hub's own chargers: a PaymentIntent with manual capture for
   * the configured hold amount. The driver's browser confirms it with the client secret (Stripe.js);
   * the webhook that follows starts the session.
   */
  async start(request: { chargerId: string; connector: string }): Promise<StartedPayment> {
    const { charger, row } = await this.newPayment(request);
    const { holdAmount, currency } = this.deps.config;
    let intent: Stripe.PaymentIntent;
    try {
      intent = await this.callStripe('hold the payment', (stripe) =>
        stripe.paymentIntents.create(
          {
            amount: holdAmount,
            currency: currency.toLowerCase(),
            capture_method: 'manual',
            description: `Charging at ${charger.id} connector ${request.connector}`,
            metadata: { payment_id: row.id, id_tag: row.id_tag, charger_id: charger.id, connector: request.connector },
          },
          { idempotencyKey: idempotencyKey('payment', row.id, 'create') },
        ),
      );
    } catch (error) {
      await this.failed(row.id, error);
      throw error;
    }
    const stored = await updated<PaymentRow>(
      this.deps.db,
      `UPDATE payments SET payment_intent_id = $2, client_secret = $3, updated_at = now() WHERE id = $1 RETURNING *`,
      [row.id, intent.id, intent.client_secret],
    );
    return { payment: toPayment(stored!), clientSecret: intent.client_secret! };
  }

  /**
   * Starts an ad hoc payment on Stripe's hosted Checkout page (the driver's page): a Checkout Session in
   * payment mode whose PaymentIntent is created with manual capture, so paying there holds the amount
   * exactly as `start` does; the PaymentIntent's events carry the payment's id in their metadata. The
   * driver's browser keeps `driverSecret` (a cookie): it alone opens the payment's session on the page.
   */
  async startCheckout(request: { chargerId: string; connector: string; successUrl: string; cancelUrl: string; productName: string; locale?: string }): Promise<StartedCheckout> {
    const driverSecret = randomBytes(24).toString('base64url');
    const { charger, row } = await this.newPayment(request, secretDigest(driverSecret));
    const { holdAmount, currency } = this.deps.config;
    const metadata = { payment_id: row.id, id_tag: row.id_tag, charger_id: charger.id, connector: request.connector };
    let session: Stripe.Checkout.Session;
    try {
      session = await this.callStripe('open the payment page', (stripe) =>
        stripe.checkout.sessions.create(
          {
            mode: 'payment',
            line_items: [{ quantity: 1, price_data: { currency: currency.toLowerCase(), unit_amount: holdAmount, product_data: { name: request.productName } } }],
            payment_intent_data: { capture_method: 'manual', description: `Charging at ${charger.id} connector ${request.connector}`, metadata },
            client_reference_id: row.id,
            metadata,
            success_url: request.successUrl,
            cancel_url: request.cancelUrl,
            ...(request.locale && { locale: request.locale as Stripe.Checkout.SessionCreateParams.Locale }),
          },
          { idempotencyKey: idempotencyKey('payment', row.id, 'checkout') },
        ),
      );
    } catch (error) {
      await this.failed(row.id, error);
      throw error;
    }
    const stored = await updated<PaymentRow>(this.deps.db, `UPDATE payments SET checkout_session_id = $2, updated_at = now() WHERE id = $1 RETURNING *`, [row.id, session.id]);
    return { payment: toPayment(stored!), checkoutUrl: session.url!, driverSecret };
  }

  /** The payment whose driver holds `driverSecret` (their cookie), or undefined. */
  async findForDriver(paymentId: string, driverSecret: string): Promise<Payment | undefined> {
    if (!/^[0-9a-f-]{36}$/.test(paymentId)) return undefined;
    const [row]: PaymentRow[] = await this.deps.db.query(`SELECT * FROM payments WHERE id = $1`, [paymentId]);
    if (!row?.driver_secret_digest) return undefined;
    const expected = Buffer.from(row.driver_secret_digest, 'hex');
    const given = Buffer.from(secretDigest(driverSecret), 'hex');
    return expected.length === given.length && timingSafeEqual(expected, given) ? toPayment(row) : undefined;
  }

  /** The payment holding or settling on a connector now, if any (one at a time). */
  async openOn(chargerId: string, connector: string): Promise<Payment | undefined> {
    const [row]: PaymentRow[] = await this.deps.db.query(
      `SELECT * FROM payments WHERE charger_id = $1 AND connector = $2 AND status IN ('held', 'settling') ORDER BY created_at DESC LIMIT 1`,
      [chargerId, connector],
    );
    return row && toPayment(row);
  }

  /**
   * Releases the hold of a payment whose session never started (the charger accepted the remote start and
   * then did nothing): the PaymentIntent is canceled and the payment is canceled with `reason`. Answers
   * false when the payment no longer holds money (it started, was settled, or was released already).
   */
  async releaseHold(paymentId: string, reason: string): Promise<boolean> {
    const payment = await this.find(paymentId);
    if (!payment || payment.status !== 'held' || !payment.paymentIntentId) return false;
    await this.callStripe('release the hold', (stripe) =>
      stripe.paymentIntents.cancel(payment.paymentIntentId!, { cancellation_reason: 'abandoned' }, { idempotencyKey: idempotencyKey('payment', payment.id, 'cancel') }),
    );
    const rows = await updatedRows(this.deps.db, `UPDATE payments SET status = 'canceled', failure = $2, updated_at = now() WHERE id = $1 AND status = 'held' RETURNING id`, [payment.id, reason]);
    return rows.length > 0;
  }

  /** Held payments older than `seconds` whose idTag started no transaction: the ones `releaseHold` is for. */
  async heldWithoutTransaction(seconds: number): Promise<Payment[]> {
    const rows: PaymentRow[] = await this.deps.db.query(
      `SELECT p.* FROM payments p
        WHERE p.status = 'held' AND p.updated_at < now() - make_interval(secs => $1)
          AND NOT EXISTS (SELECT 1 FROM ocpp_transactions t WHERE t.id_token = p.id_tag)
        ORDER BY p.updated_at LIMIT 100`,
      [seconds],
    );
    return rows.map(toPayment);
  }

  private async failed(paymentId: string, error: unknown): Promise<void> {
    await this.deps.db.query(`UPDATE payments SET status = 'failed', failure = $2, updated_at = now() WHERE id = $1`, [paymentId, (error as Error).message]);
  }

  /** Checks the charger and connector and writes the payment row (created); the caller asks Stripe. */
  private async newPayment(request: { chargerId: string; connector: string }, driverSecretDigest: string | null = null) {
    this.requireStripe();
    const charger = await this.deps.chargers.find(request.chargerId);
    if (!charger) throw new HubError('not_found', `No charger with id ${request.chargerId}`);
    if (charger.status !== 'ACCEPTED') throw new HubError('conflict', `Charger ${charger.id} is not in service (its registration is ${charger.status})`);
    if (!charger.evses.some((e) => e.ocppConnector === request.connector)) {
      throw new HubError('not_found', `Charger ${charger.id} has no connector ${request.connector} (connectors: ${charger.evses.map((e) => e.ocppConnector).join(', ') || 'none mapped'})`);
    }
    const status = charger.connectors.find((c) => c.connector === request.connector)?.status;
    if (status && BUSY_CONNECTOR.has(status)) throw new HubError('conflict', `Connector ${request.connector} of charger ${charger.id} is ${status}; choose another or try later`);
    const [open] = await this.deps.db.query(`SELECT 1 FROM payments WHERE charger_id = $1 AND connector = $2 AND status IN ('held', 'settling')`, [
      charger.id,
      request.connector,
    ]);
    if (open) throw new HubError('conflict', `A paid session is already starting or running on connector ${request.connector} of charger ${charger.id}`);

    const { holdAmount, currency } = this.deps.config;
    const [row]: PaymentRow[] = await this.deps.db.query(
      `INSERT INTO payments (id_tag, charger_id, connector, currency, hold_amount, driver_secret_digest) VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
      [newIdTag(), charger.id, request.connector, currency, holdAmount, driverSecretDigest],
    );
    return { charger, row };
  }

  async find(id: string): Promise<Payment | undefined> {
    const [row]: PaymentRow[] = await this.deps.db.query(`SELECT * FROM payments WHERE id = $1`, [id]);
    return row && toPayment(row);
  }

  private async byIdTag(idTag: string): Promise<Payment | undefined> {
    if (!PAYMENT_ID_TAG.test(idTag)) return undefined;
    const [row]: PaymentRow[] = await this.deps.db.query(`SELECT * FROM payments WHERE id_tag = $1`, [idTag]);
    return row && toPayment(row);
  }

  private async requireByIdTag(idTag: string): Promise<Payment> {
    this.requireStripe();
    const payment = await this.byIdTag(idTag);
    if (!payment) throw new HubError('not_found', `No payment has idTag ${idTag}`);
    return payment;
  }

  // ── The charging side ────────────────────────────────────────────────────────────────────────

  /**
   * A driver presented `idTag` at a charger. Undefined when it is not a payment's idTag (the charging
   * side then asks the eMSPs); otherwise accepted while the hold stands and the session is not settled.
   */
  async authorizeIdTag(idTag: string): Promise<PaymentAuthorization | undefined> {
    if (!this.enabled) return undefined;
    const payment = await this.byIdTag(idTag);
    if (!payment) return undefined;
    return {
      accepted: payment.status === 'held',
      holdAmount: formatMinorUnits(payment.heldAmount ?? payment.holdAmount, payment.currency),
      currency: payment.currency,
    };
  }

  /**
   * The running cost (incl. VAT, major units, as priced) of the session paid with `idTag`: 'stop' once
   * the hold is used up, or when the payment no longer holds money (canceled at Stripe, settled).
   */
  async costUpdate(idTag: string, costInclVat: Decimal.Value): Promise<CostDecision> {
    const payment = await this.requireByIdTag(idTag);
    const cost = minorUnits(costInclVat, payment.currency, 'costInclVat');
    if (payment.status !== 'held') return 'stop';
    await this.deps.db.query(`UPDATE payments SET last_cost = $2, updated_at = now() WHERE id = $1 AND status = 'held'`, [payment.id, cost]);
    return decideOnCost(cost, payment.heldAmount ?? payment.holdAmount);
  }

  /**
   * Settles the session paid with `idTag` from its CDR: captures the final cost (at most what was held),
   * or releases the hold when the cost is zero. Safe to call again: the same CDR answers the same
   * result (and finishes a settlement a crash interrupted); another CDR for the same payment is a 409.
   */
  async settleSession(idTag: string, cdr: { cdrId: string; totalInclVat: Decimal.Value; currency: string }): Promise<SessionSettlement> {
    let payment = await this.requireByIdTag(idTag);
    if (cdr.currency.toUpperCase() !== payment.currency) {
      throw new HubError('invalid', `CDR ${cdr.cdrId} is in ${cdr.currency}, the payment in ${payment.currency}`);
    }
    const finalCost = minorUnits(cdr.totalInclVat, payment.currency, 'totalInclVat');
    if (finalCost < 0) throw new HubError('invalid', `CDR ${cdr.cdrId} has a negative total; credits go through refundCredit`);
    if (payment.cdrId !== null && payment.cdrId !== cdr.cdrId) {
      throw new HubError('conflict', `Payment ${payment.id} was settled with CDR ${payment.cdrId}; a correction is a credit CDR (refundCredit)`);
    }
    if (payment.status === 'held') {
      const decision = settlementFor(finalCost, payment.heldAmount ?? payment.holdAmount);
      // Record what is to be captured before asking Stripe: a retry after a crash captures the same amount.
      const row = await updated<PaymentRow>(
        this.deps.db,
        `UPDATE payments SET status = 'settling', cdr_id = $2, final_cost = $3, uncollected_amount = $4, updated_at = now()
         WHERE id = $1 AND status = 'held' RETURNING *`,
        [payment.id, cdr.cdrId, finalCost, decision.action === 'capture' ? decision.uncollected : 0],
      );
      payment = row ? toPayment(row) : (await this.find(payment.id))!;
      if (payment.cdrId !== cdr.cdrId) throw new HubError('conflict', `Payment ${payment.id} was settled with CDR ${payment.cdrId}`);
    }
    if (payment.status === 'settling') {
      if (payment.finalCost !== finalCost) {
        throw new HubError('conflict', `CDR ${cdr.cdrId} is being settled at ${formatMinorUnits(payment.finalCost!, payment.currency)}, not ${formatMinorUnits(finalCost, payment.currency)}`);
      }
      payment = await this.finishSettlement(payment);
    }
    if ((payment.status === 'captured' || payment.status === 'canceled') && payment.cdrId === cdr.cdrId) {
      if (payment.finalCost !== finalCost) {
        throw new HubError('conflict', `CDR ${cdr.cdrId} was settled at ${formatMinorUnits(payment.finalCost!, payment.currency)}, not ${formatMinorUnits(finalCost, payment.currency)}`);
      }
      return {
        status: payment.status,
        capturedAmount: formatMinorUnits(payment.capturedAmount ?? 0, payment.currency),
        uncollectedAmount: formatMinorUnits(payment.uncollectedAmount ?? 0, payment.currency),
        currency: payment.currency,
      };
    }
    throw new HubError('conflict', `Payment ${payment.id} cannot be settled: it is ${payment.status}${payment.failure ? ` (${payment.failure})` : ''}`);
  }

  /** Capture or cancel at Stripe as recorded in the settling row, then mark it done. */
  private async finishSettlement(payment: Payment): Promise<Payment> {
    const decision = settlementFor(payment.finalCost!, payment.heldAmount ?? payment.holdAmount);
    let row: PaymentRow | undefined;
    if (decision.action === 'cancel') {
      await this.callStripe('release the hold', (stripe) =>
        stripe.paymentIntents.cancel(payment.paymentIntentId!, { cancellation_reason: 'abandoned' }, { idempotencyKey: idempotencyKey('payment', payment.id, 'cancel') }),
      );
      row = await updated<PaymentRow>(
        this.deps.db,
        `UPDATE payments SET status = 'canceled', captured_amount = 0, updated_at = now() WHERE id = $1 AND status = 'settling' RETURNING *`,
        [payment.id],
      );
    } else {
      const intent = await this.callStripe('capture the payment', (stripe) =>
        stripe.paymentIntents.capture(
          payment.paymentIntentId!,
          { amount_to_capture: decision.amount, metadata: { cdr_id: payment.cdrId! } },
          { idempotencyKey: idempotencyKey('payment', payment.id, 'capture') },
        ),
      );
      row = await updated<PaymentRow>(
        this.deps.db,
        `UPDATE payments SET status = 'captured', captured_amount = $2, updated_at = now() WHERE id = $1 AND status = 'settling' RETURNING *`,
        [payment.id, intent.amount_received],
      );
    }
    return row ? toPayment(row) : (await this.find(payment.id))!;
  }

  /**
   * Refunds a credit CDR of the session paid with `idTag`: its amount (credit CDRs carry negative
   * totals; the sign does not matter), up to what is captured and not yet refunded. One refund per
   * credit CDR: calling again answers the same refund.
   */
  async refundCredit(idTag: string, credit: { creditCdrId: string; amount: Decimal.Value }): Promise<CreditRefund> {
    const payment = await this.requireByIdTag(idTag);
    const creditMinor = Math.abs(minorUnits(credit.amount, payment.currency, 'amount'));
    const done = (refund: { amount: string; stripe_refund_id: string | null }): CreditRefund => ({
      creditCdrId: credit.creditCdrId,
      refundedAmount: formatMinorUnits(Number(refund.amount), payment.currency),
      currency: payment.currency,
      stripeRefundId: refund.stripe_refund_id,
    });
    const [existing] = await this.deps.db.query(`SELECT * FROM payment_refunds WHERE payment_id = $1 AND credit_cdr_id = $2`, [payment.id, credit.creditCdrId]);
    if (existing && Number(existing.credit_amount) !== creditMinor) {
      throw new HubError('conflict', `Credit CDR ${credit.creditCdrId} was refunded as ${formatMinorUnits(Number(existing.credit_amount), payment.currency)}, not ${formatMinorUnits(creditMinor, payment.currency)}`);
    }
    if (existing?.stripe_refund_id || (existing && Number(existing.amount) === 0)) return done(existing);
    if (payment.status !== 'captured') throw new HubError('conflict', `Payment ${payment.id} has nothing captured to refund (it is ${payment.status})`);

    let refundRow = existing;
    if (!refundRow) {
      // The payment row is locked while the refund is decided, so two credits never share what is left.
      refundRow = await this.deps.db.transaction(async (tx) => {
        await tx.query(`SELECT 1 FROM payments WHERE id = $1 FOR UPDATE`, [payment.id]);
        const [others] = await tx.query(`SELECT coalesce(sum(amount), 0)::bigint AS refunded FROM payment_refunds WHERE payment_id = $1`, [payment.id]);
        const decision = refundFor(creditMinor, payment.capturedAmount ?? 0, Number(others.refunded));
        const [inserted] = await tx.query(
          `INSERT INTO payment_refunds (payment_id, credit_cdr_id, credit_amount, amount) VALUES ($1, $2, $3, $4)
           ON CONFLICT (payment_id, credit_cdr_id) DO UPDATE SET credit_amount = payment_refunds.credit_amount RETURNING *`,
          [payment.id, credit.creditCdrId, creditMinor, decision.amount],
        );
        return inserted;
      });
      if (Number(refundRow.amount) === 0) return done(refundRow);
    }
    const refund = await this.callStripe('refund the credit', (stripe) =>
      stripe.refunds.create(
        { payment_intent: payment.paymentIntentId!, amount: Number(refundRow.amount), metadata: { payment_id: payment.id, credit_cdr_id: credit.creditCdrId } },
        { idempotencyKey: idempotencyKey('payment', payment.id, `refund/${credit.creditCdrId}`) },
      ),
    );
    const stored = await updated<{ amount: string; stripe_refund_id: string | null }>(
      this.deps.db,
      `UPDATE payment_refunds SET stripe_refund_id = $3 WHERE payment_id = $1 AND credit_cdr_id = $2 RETURNING *`,
      [payment.id, credit.creditCdrId, refund.id],
    );
    await this.deps.db.query(
      `UPDATE payments SET refunded_amount = (SELECT coalesce(sum(amount), 0) FROM payment_refunds WHERE payment_id = $1 AND stripe_refund_id IS NOT NULL), updated_at = now()
       WHERE id = $1`,
      [payment.id],
    );
    return done(stored!);
  }

  // ── Webhooks ─────────────────────────────────────────────────────────────────────────────────

  /**
   * A webhook delivery: verified against the raw body with the endpoint's signing secret, processed
   * once per event id (a replay is a 'duplicate'), and answered only after processing, so a failure
   * leaves the event to Stripe's retries.
   */
  async handleWebhook(rawBody: Buffer, signature: string | undefined): Promise<WebhookOutcome> {
    const stripe = this.requireStripe();
    let event: Stripe.Event;
    try {
      event = stripe.webhooks.constructEvent(rawBody, signature ?? '', this.deps.config.stripe!.webhookSecret);
    } catch (error) {
      throw new WebhookSignatureError(`The Stripe-Signature does not verify: ${(error as Error).message}`);
    }
    const claimed = await this.deps.db.query(
      `INSERT INTO stripe_events (id, type) VALUES ($1, $2)
       ON CONFLICT (id) DO UPDATE SET received_at = now()
         WHERE stripe_events.processed_at IS NULL AND stripe_events.received_at < now() - interval '${EVENT_RECLAIM_AFTER}'
       RETURNING id`,
      [event.id, event.type],
    );
    if (claimed.length === 0) return { eventId: event.id, type: event.type, outcome: 'duplicate' };
    try {
      const paymentId = await this.applyEvent(event);
      await this.deps.db.query(`UPDATE stripe_events SET processed_at = now(), payment_id = $2 WHERE id = $1`, [event.id, paymentId ?? null]);
      return { eventId: event.id, type: event.type, outcome: paymentId ? 'processed' : 'ignored' };
    } catch (error) {
      // Unclaim, so Stripe's next delivery of the event is processed.
      await this.deps.db.query(`DELETE FROM stripe_events WHERE id = $1 AND processed_at IS NULL`, [event.id]);
      throw error;
    }
  }

  /** Applies an event to its payment; answers the payment's id, or undefined when the event is not ours. */
  private async applyEvent(event: Stripe.Event): Promise<string | undefined> {
    const object = event.data.object as { object?: string; id?: string; payment_intent?: string | { id: string } | null };
    const intentId = object.object === 'payment_intent' ? object.id : typeof object.payment_intent === 'string' ? object.payment_intent : object.payment_intent?.id;
    if (event.type === 'checkout.session.completed' || event.type === 'checkout.session.expired') return this.applyCheckoutEvent(event);
    if (!intentId) return undefined;
    let [row]: PaymentRow[] = await this.deps.db.query(`SELECT * FROM payments WHERE payment_intent_id = $1`, [intentId]);
    if (!row && object.object === 'payment_intent') row = (await this.linkCheckoutIntent(event.data.object as Stripe.PaymentIntent))!;
    if (!row) return undefined;
    const payment = toPayment(row);
    switch (event.type) {
      case 'payment_intent.amount_capturable_updated':
        await this.onHeld(payment, event.data.object as Stripe.PaymentIntent);
        break;
      case 'payment_intent.payment_failed': {
        const reason = (event.data.object as Stripe.PaymentIntent).last_payment_error?.message ?? 'the payment failed';
        // The driver may try another card: the payment stays open.
        await this.deps.db.query(`UPDATE payments SET failure = $2, updated_at = now() WHERE id = $1 AND status = 'created'`, [payment.id, reason]);
        break;
      }
      case 'payment_intent.canceled':
        // Canceled at Stripe (an expired hold, the dashboard): the session stops at its next cost update.
        await this.deps.db.query(
          `UPDATE payments SET status = 'canceled', failure = coalesce(failure, 'The PaymentIntent was canceled at Stripe'), updated_at = now()
           WHERE id = $1 AND status IN ('created', 'held')`,
          [payment.id],
        );
        break;
      case 'payment_intent.succeeded':
        // Confirms a capture whose answer a crash lost: the settling row becomes captured.
        await this.deps.db.query(
          `UPDATE payments SET status = 'captured', captured_amount = $2, updated_at = now() WHERE id = $1 AND status = 'settling'`,
          [payment.id, (event.data.object as Stripe.PaymentIntent).amount_received],
        );
        break;
      case 'charge.refunded':
        // Stripe's count is the truth; events may come out of order, and refunds only grow.
        await this.deps.db.query(`UPDATE payments SET refunded_amount = greatest(refunded_amount, $2), updated_at = now() WHERE id = $1`, [
          payment.id,
          (event.data.object as Stripe.Charge).amount_refunded,
        ]);
        break;
      default:
        return undefined;
    }
    return payment.id;
  }

  /**
   * A Checkout payment learns its PaymentIntent from the intent's first event (Stripe creates it when the
   * driver pays): the metadata names the payment, and only a Checkout payment without an intent yet is
   * linked, so a forged metadata cannot take over another payment's row.
   */
  private async linkCheckoutIntent(intent: Stripe.PaymentIntent): Promise<PaymentRow | undefined> {
    const paymentId = intent.metadata?.payment_id;
    if (!paymentId || !/^[0-9a-f-]{36}$/.test(paymentId)) return undefined;
    return updated<PaymentRow>(
      this.deps.db,
      `UPDATE payments SET payment_intent_id = $2, updated_at = now()
        WHERE id = $1 AND checkout_session_id IS NOT NULL AND (payment_intent_id IS NULL OR payment_intent_id = $2) RETURNING *`,
      [paymentId, intent.id],
    );
  }

  /** checkout.session.completed links the PaymentIntent (if its own events have not); expired: the driver never paid. */
  private async applyCheckoutEvent(event: Stripe.Event): Promise<string | undefined> {
    const session = event.data.object as Stripe.Checkout.Session;
    const [row]: PaymentRow[] = await this.deps.db.query(`SELECT * FROM payments WHERE checkout_session_id = $1`, [session.id]);
    if (!row) return undefined;
    if (event.type === 'checkout.session.completed') {
      const intentId = typeof session.payment_intent === 'string' ? session.payment_intent : session.payment_intent?.id;
      if (intentId) await this.deps.db.query(`UPDATE payments SET payment_intent_id = $2, updated_at = now() WHERE id = $1 AND payment_intent_id IS NULL`, [row.id, intentId]);
    } else {
      await this.deps.db.query(
        `UPDATE payments SET status = 'canceled', failure = coalesce(failure, 'The payment page expired before the driver paid'), updated_at = now() WHERE id = $1 AND status = 'created'`,
        [row.id],
      );
    }
    return row.id;
  }

  /** The hold stands: the payment is held (once) and its session started; a failed start releases the hold. */
  private async onHeld(payment: Payment, intent: Stripe.PaymentIntent): Promise<void> {
    const row = await updated<PaymentRow>(
      this.deps.db,
      `UPDATE payments SET status = 'held', held_amount = $2, failure = NULL, updated_at = now() WHERE id = $1 AND status = 'created' RETURNING *`,
      [payment.id, intent.amount_capturable],
    );
    if (!row) return; // already held or beyond: this is a second event for the same hold
    try {
      if (!this.startCharging) throw new Error('the hub has no remote start wired for payments');
      await this.startCharging({ chargerId: row.charger_id, connector: row.connector, idTag: row.id_tag, paymentId: row.id });
    } catch (error) {
      const reason = `The charger could not be started: ${(error as Error).message}`;
      this.deps.log.warn({ paymentId: row.id, chargerId: row.charger_id, err: error }, 'a paid session could not be started; releasing the hold');
      await this.callStripe('release the hold', (stripe) =>
        stripe.paymentIntents.cancel(row.payment_intent_id!, { cancellation_reason: 'abandoned' }, { idempotencyKey: idempotencyKey('payment', row.id, 'cancel') }),
      );
      await this.deps.db.query(`UPDATE payments SET status = 'canceled', failure = $2, updated_at = now() WHERE id = $1 AND status = 'held'`, [row.id, reason]);
    }
  }

  // ── CPO payouts ──────────────────────────────────────────────────────────────────────────────

  /**
   * Pays a settlement statement to the CPO's Stripe Connect account: one transfer per statement, with
   * the statement id as transfer_group. Paying the same statement again answers the first transfer;
   * the same statement with another amount, currency or destination is a 409.
   */
  async payStatement(payout: { statementId: string; destinationAccount: string; amount: Decimal.Value; currency: string }): Promise<StatementPayout> {
    this.requireStripe();
    const currency = payout.currency.toUpperCase();
    if (!/^[A-Z]{3}$/.test(currency)) throw new HubError('invalid', `currency: ${payout.currency} is not an ISO 4217 code`);
    if (!/^[\x21-\x7e]{1,200}$/.test(payout.statementId)) throw new HubError('invalid', 'statementId: must be 1 to 200 printable ASCII characters');
    if (!STRIPE_ACCOUNT.test(payout.destinationAccount)) throw new HubError('invalid', `destinationAccount: ${payout.destinationAccount} is not a Stripe account id (acct_…)`);
    const amount = minorUnits(payout.amount, currency, 'amount');
    if (amount <= 0) throw new HubError('invalid', `amount: a payout must be more than 0 (statement ${payout.statementId} is ${formatMinorUnits(amount, currency)})`);

    await this.deps.db.query(
      `INSERT INTO payouts (statement_id, destination_account, amount, currency) VALUES ($1, $2, $3, $4) ON CONFLICT (statement_id) DO NOTHING`,
      [payout.statementId, payout.destinationAccount, amount, currency],
    );
    const [recorded] = await this.deps.db.query(`SELECT * FROM payouts WHERE statement_id = $1`, [payout.statementId]);
    if (recorded.destination_account !== payout.destinationAccount || Number(recorded.amount) !== amount || recorded.currency !== currency) {
      throw new HubError(
        'conflict',
        `Statement ${payout.statementId} is paid as ${formatMinorUnits(Number(recorded.amount), recorded.currency)} ${recorded.currency} to ${recorded.destination_account}; a correction is a new statement`,
      );
    }
    const answer = (transferId: string): StatementPayout => ({
      statementId: payout.statementId,
      destinationAccount: payout.destinationAccount,
      amount: formatMinorUnits(amount, currency),
      currency,
      stripeTransferId: transferId,
    });
    if (recorded.stripe_transfer_id) return answer(recorded.stripe_transfer_id);
    // Two callers at once send the same request with the same key: Stripe makes one transfer.
    const transfer = await this.callStripe('transfer the payout', (stripe) =>
      stripe.transfers.create(
        { amount, currency: currency.toLowerCase(), destination: payout.destinationAccount, transfer_group: payout.statementId, metadata: { statement_id: payout.statementId } },
        { idempotencyKey: idempotencyKey('statement', payout.statementId, 'transfer') },
      ),
    );
    await this.deps.db.query(`UPDATE payouts SET stripe_transfer_id = $2, paid_at = now() WHERE statement_id = $1`, [payout.statementId, transfer.id]);
    return answer(transfer.id);
  }

  /** The Stripe Connect account a party is paid to (set by the operator). */
  async payoutAccount(partyUuid: string): Promise<string | undefined> {
    await this.requireParty(partyUuid);
    const [row] = await this.deps.db.query(`SELECT stripe_account FROM payout_accounts WHERE party_uuid = $1`, [partyUuid]);
    return row?.stripe_account;
  }

  /** The payout account of the party that holds a CPO role, for a statement addressed by role. */
  async payoutAccountFor(cpo: { countryCode: string; partyId: string }): Promise<string | undefined> {
    const [row] = await this.deps.db.query(
      `SELECT a.stripe_account FROM payout_accounts a JOIN party_roles r ON r.party_uuid = a.party_uuid
       WHERE r.role = 'CPO' AND r.country_code = $1 AND r.party_id = $2`,
      [cpo.countryCode, cpo.partyId],
    );
    return row?.stripe_account;
  }

  async setPayoutAccount(partyUuid: string, stripeAccount: string): Promise<void> {
    if (!STRIPE_ACCOUNT.test(stripeAccount)) throw new HubError('invalid', `stripe_account: ${stripeAccount} is not a Stripe account id (acct_…)`);
    await this.requireParty(partyUuid);
    await this.deps.db.query(
      `INSERT INTO payout_accounts (party_uuid, stripe_account) VALUES ($1, $2)
       ON CONFLICT (party_uuid) DO UPDATE SET stripe_account = excluded.stripe_account, updated_at = now()`,
      [partyUuid, stripeAccount],
    );
  }

  async removePayoutAccount(partyUuid: string): Promise<void> {
    await this.requireParty(partyUuid);
    await this.deps.db.query(`DELETE FROM payout_accounts WHERE party_uuid = $1`, [partyUuid]);
  }

  // ── Payout retries (statement-payouts.ts) ────────────────────────────────────────────────────

  /** A failed payout attempt: kept on the payout with the time of its next attempt. */
  async recordPayoutFailure(statementId: string, error: string, retryInMs: number): Promise<void> {
    await this.deps.db.query(
      `UPDATE payouts SET attempts = attempts + 1, last_error = $2, last_attempt_at = now(),
              next_attempt_at = now() + make_interval(secs => $3)
        WHERE statement_id = $1 AND stripe_transfer_id IS NULL`,
      [statementId, error.slice(0, 2000), retryInMs / 1000],
    );
  }

  /** The attempts so far of a statement's payout (0 when none was recorded). */
  async payoutAttempts(statementId: string): Promise<number> {
    const [row] = await this.deps.db.query(`SELECT attempts FROM payouts WHERE statement_id = $1`, [statementId]);
    return row?.attempts ?? 0;
  }

  /**
   * Statements whose payout is due again: a payout not paid, not held and due; and a closed statement
   * owing its CPO money (a payout account, a positive total) with no payout recorded at all (it failed
   * before the payout was written).
   */
  async duePayoutStatements(limit: number): Promise<string[]> {
    const rows: { statement_id: string }[] = await this.deps.db.query(
      `SELECT statement_id FROM payouts
        WHERE stripe_transfer_id IS NULL AND held_at IS NULL AND coalesce(next_attempt_at, created_at) <= now()
       UNION
       SELECT s.id::text FROM settlement_statements s
         JOIN settlement_statement_versions v ON v.statement_id = s.id AND v.version = s.closed_version
         JOIN party_roles r ON r.role = 'CPO' AND r.country_code || '/' || r.party_id = s.cpo
         JOIN payout_accounts a ON a.party_uuid = r.party_uuid
        WHERE s.status = 'closed' AND v.gross > 0 AND NOT EXISTS (SELECT 1 FROM payouts p WHERE p.statement_id = s.id::text)
       LIMIT $1`,
      [limit],
    );
    return rows.map((r) => r.statement_id);
  }

  async payouts(filter: { status?: PayoutView['status']; limit: number }): Promise<PayoutView[]> {
    return this.deps.db.query(
      `${PAYOUT_SELECT} WHERE ($1::text IS NULL OR ${PAYOUT_STATUS} = $1) ORDER BY created_at DESC LIMIT $2`,
      [filter.status ?? null, filter.limit],
    );
  }

  async payout(statementId: string): Promise<PayoutView> {
    const [row] = await this.deps.db.query(
      `${PAYOUT_SELECT} WHERE statement_id = $1`,
      [statementId],
    );
    if (!row) throw new HubError('not_found', `No payout for statement ${statementId}`);
    return row;
  }

  /**
   * The operator steps in: a held payout is not retried until released; releasing (or retrying)
   * makes it due at once. A paid payout cannot be held.
   */
  async setPayoutHeld(statementId: string, held: boolean): Promise<PayoutView> {
    const current = await this.payout(statementId);
    if (current.status === 'paid') throw new HubError('conflict', `The payout of statement ${statementId} is paid (${current.stripe_transfer_id})`);
    await this.deps.db.query(
      `UPDATE payouts SET held_at = ${held ? 'coalesce(held_at, now())' : 'NULL'}, next_attempt_at = ${held ? 'next_attempt_at' : 'now()'}
        WHERE statement_id = $1 AND stripe_transfer_id IS NULL`,
      [statementId],
    );
    return this.payout(statementId);
  }

  private async requireParty(partyUuid: string): Promise<void> {
    const [party] = await this.deps.db.query(`SELECT 1 FROM parties WHERE id = $1`, [partyUuid]);
    if (!party) throw new HubError('not_found', `No party with id ${partyUuid}`);
  }
}
