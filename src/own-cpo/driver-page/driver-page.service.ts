import type { Logger } from 'pino';
import { adHocPriceDisplay, type DriverPrice } from '../../core/driver-page/ad-hoc-price-display';
import { driverReceipt, type DriverReceipt } from '../../core/driver-page/driver-receipt';
import type { EvseStatus } from '../../core/charging/connector-status';
import type { Tariff } from '../../core/pricing/tariff.schema';
import { formatMinorUnits } from '../../core/payments/stripe-amounts';
import { currencyOf, roundMoney } from '../../core/money/currencies';
import { HubError } from '../../foundation/hub-errors';
import type { CdrsService } from '../../hub/modules/cdrs/cdrs.service';
import type { LocationsService } from '../../hub/modules/locations/locations.service';
import type { TariffsService } from '../../hub/modules/tariffs/tariffs.service';
import type { RoleAddress } from '../../hub/ocpi/party-address';
import type { Charger, ChargersService } from '../chargers/chargers.service';
import { chargerEvseStatuses } from '../charging/evse-status';
import type { OwnCommands } from '../charging/own-commands';
import type { Transaction, TransactionsService } from '../charging/transactions.service';
import type { Payment, PaymentsService, StartedCheckout } from '../driver-payments/payments.service';
import type { ShortCodeRegistry } from './short-code-registry';

/** A connector as the driver's page shows it before anything is paid. */
export interface DriverPlace {
  code: string;
  chargerId: string;
  connector: string;
  /** The location's country (OCPI `country`, ISO 3166 alpha-3), else the CPO's country code: it picks the page's language. */
  countryCode: string;
  locationName: string;
  address: string;
  evseId: string;
  /** e.g. "IEC_62196_T2 · 22 kW". */
  connectorStandard: string;
  powerKw: number | null;
  status: EvseStatus;
  /** Whether a new driver may pay and start here now (free, in service, no paid session open). */
  startable: boolean;
  /** Why not, as a message key. */
  refusal: 'in_use' | 'not_available' | 'payments_off' | null;
  price: DriverPrice | undefined;
  /** What is held on the card, a decimal string in major units. */
  holdAmount: string;
  currency: string;
  operatorName: string;
  timeZone: string;
}

/** paying: the payment exists and Stripe has not (yet) said the card is held: the driver is on the Checkout page, or back from it before the webhook. */
export type DriverSessionState = 'paying' | 'declined' | 'expired' | 'starting' | 'charging' | 'finishing' | 'finished' | 'not_started' | 'failed';

/** The driver's session as the page polls it (`GET /c/{code}/session`). Amounts are decimal strings. */
export interface DriverSessionView {
  state: DriverSessionState;
  payment_status: Payment['status'];
  failure: string | null;
  currency: string;
  held_amount: string | null;
  kwh: string | null;
  power_kw: string | null;
  minutes: number | null;
  cost_so_far: string | null;
  final_cost: string | null;
  captured_amount: string | null;
  started_at: string | null;
  stopped_at: string | null;
}

const BUSY = new Set<EvseStatus>(['CHARGING', 'RESERVED', 'BLOCKED', 'INOPERATIVE', 'OUTOFORDER']);

/**
 * What the driver's page (`/c/<code>`, docs/drivers.md) knows: the connector behind a sticker's code with its
 * place, live status and ad hoc price; the driver's own paid session (found through the cookie bound to the
 * payment) with its progress; the stop; the receipt from the CDR. Reads through the own CPO's module services
 * and the charging side, as the rest of the own CPO does.
 */
export class DriverPageService {
  constructor(
    private readonly deps: {
      codes: ShortCodeRegistry;
      chargers: Pick<ChargersService, 'find'>;
      locations: Pick<LocationsService, 'storedOf'>;
      tariffs: Pick<TariffsService, 'storedOf'>;
      cdrs: Pick<CdrsService, 'storedOf'>;
      transactions: Pick<TransactionsService, 'latestByIdToken' | 'costOf' | 'sessionTariffOf'>;
      ownCommands: Pick<OwnCommands, 'stopFor'>;
      payments: PaymentsService;
      ownCpo: RoleAddress;
      operatorName: string;
      log: Logger;
    },
  ) {}

  get codes(): ShortCodeRegistry {
    return this.deps.codes;
  }

  /** The connector behind a code, as a new driver sees it at `now`; 404 for an unknown code. */
  async place(text: string, now = new Date()): Promise<DriverPlace> {
    const found = await this.deps.codes.resolve(text);
    if (!found) throw new HubError('not_found', `No charge point has the code ${text}`);
    const charger = await this.deps.chargers.find(found.chargerId);
    const mapping = charger?.evses.find((e) => e.ocppConnector === found.connector);
    if (!charger || !mapping) throw new HubError('not_found', `The charge point of code ${found.code} is no longer in service`);
    const location = charger.locationId ? await this.deps.locations.storedOf(this.deps.ownCpo, charger.locationId) : undefined;
    const evse = location?.evses?.find((e) => e.uid === mapping.evseUid);
    const connector = evse?.connectors?.find((c) => c.id === mapping.connectorId);
    // The tariff a session paid ad hoc is priced with: the connector's first public one, as the transaction takes it.
    const tariff = await this.deps.transactions.sessionTariffOf(connector?.tariff_ids, null);
    const timeZone = location?.time_zone ?? 'UTC';
    const status = this.statusOf(charger, mapping.evseUid);
    const open = await this.deps.payments.openOn(charger.id, found.connector);
    const refusal = !this.deps.payments.enabled
      ? 'payments_off'
      : open || status === 'CHARGING' || status === 'RESERVED'
        ? 'in_use'
        : charger.status !== 'ACCEPTED' || BUSY.has(status)
          ? 'not_available'
          : null;
    const { holdAmount, currency } = this.deps.payments.holdTerms();
    const powerKw = connector?.max_electric_power ? connector.max_electric_power / 1000 : connector ? estimatedPowerKw(connector) : null;
    return {
      code: found.code,
      chargerId: charger.id,
      connector: found.connector,
      countryCode: location?.country ?? this.deps.ownCpo.countryCode,
      locationName: location?.name ?? charger.locationId ?? charger.id,
      address: location ? [location.address, [location.postal_code, location.city].filter(Boolean).join(' ')].filter(Boolean).join(', ') : '',
      evseId: evse?.evse_id ?? mapping.evseUid,
      connectorStandard: connector ? `${connector.standard}` : '',
      powerKw,
      status,
      startable: refusal === null,
      refusal,
      price: tariff ? adHocPriceDisplay(tariff, now, timeZone) : undefined,
      holdAmount,
      currency,
      operatorName: this.deps.operatorName,
      timeZone,
    };
  }

  /** The EVSE's live status from the charger's connector reports. */
  private statusOf(charger: Charger, evseUid: string): EvseStatus {
    return chargerEvseStatuses(charger).get(evseUid) ?? 'UNKNOWN';
  }

  /** A driver pays at a place: Stripe's hosted Checkout page for the hold, and the secret for their cookie. */
  startCheckout(place: DriverPlace, urls: { successUrl: string; cancelUrl: string; locale: string }): Promise<StartedCheckout> {
    return this.deps.payments.startCheckout({
      chargerId: place.chargerId,
      connector: place.connector,
      ...urls,
      productName: `${place.locationName} · ${place.evseId}`,
    });
  }

  /** The driver's payment at this code, when their cookie opens it; undefined otherwise (another driver, or none). */
  async driversPayment(code: string, cookie: string | undefined): Promise<Payment | undefined> {
    if (!cookie) return undefined;
    const [paymentId, secret] = cookie.split('.');
    if (!paymentId || !secret) return undefined;
    const payment = await this.deps.payments.findForDriver(paymentId, secret);
    if (!payment) return undefined;
    const found = await this.deps.codes.resolve(code);
    return found && found.chargerId === payment.chargerId && found.connector === payment.connector ? payment : undefined;
  }

  /** Where the driver's paid session is, with its live figures while it charges. */
  async session(payment: Payment, now = new Date()): Promise<DriverSessionView> {
    const transaction = await this.deps.transactions.latestByIdToken(payment.idTag);
    const money = (minor: number | null) => (minor === null ? null : formatMinorUnits(minor, payment.currency));
    let costSoFar = money(payment.lastCost);
    if (transaction?.status === 'ACTIVE') {
      const priced = await this.deps.transactions.costOf(transaction).catch(() => undefined);
      const total = priced?.totals?.total_cost;
      if (total) costSoFar = roundMoney(total.incl_vat ?? total.excl_vat, payment.currency).toFixed(currencyOf(payment.currency).decimals);
    }
    return {
      state: stateOf(payment, transaction),
      payment_status: payment.status,
      failure: payment.failure,
      currency: payment.currency,
      held_amount: money(payment.heldAmount),
      kwh: transaction ? (((transaction.lastEnergyWh ?? transaction.meterStopWh ?? transaction.meterStartWh) - transaction.meterStartWh) / 1000).toFixed(2) : null,
      power_kw: transaction?.status === 'ACTIVE' && transaction.lastPowerW !== null ? (transaction.lastPowerW / 1000).toFixed(1) : null,
      minutes: transaction ? Math.max(0, Math.floor(((transaction.stoppedAt ?? now).getTime() - transaction.startedAt.getTime()) / 60_000)) : null,
      cost_so_far: costSoFar,
      final_cost: money(payment.finalCost),
      captured_amount: money(payment.capturedAmount),
      started_at: transaction?.startedAt.toISOString() ?? null,
      stopped_at: transaction?.stoppedAt?.toISOString() ?? null,
    };
  }

  /** The driver stops their session at the charger (a remote stop). 409 when it is not charging. */
  async stop(payment: Payment): Promise<void> {
    const transaction = await this.deps.transactions.latestByIdToken(payment.idTag);
    if (!transaction || transaction.status !== 'ACTIVE') throw new HubError('conflict', 'This session is not charging');
    try {
      await this.deps.ownCommands.stopFor(transaction);
    } catch (error) {
      throw new HubError('partner_failed', `The charger could not be stopped: ${(error as Error).message}`);
    }
  }

  /** The receipt of a settled session, from its CDR; 404 until the CDR exists. */
  async receipt(payment: Payment): Promise<{ receipt: DriverReceipt; payment: Payment; cdrId: string; startedAt: string; endedAt: string; timeZone: string; address: string; evseId: string }> {
    if (!payment.cdrId) throw new HubError('not_found', 'The receipt is not ready yet');
    const cdr = await this.deps.cdrs.storedOf(this.deps.ownCpo, payment.cdrId);
    if (!cdr) throw new HubError('not_found', 'The receipt is not ready yet');
    const tariff = cdr.tariffs?.[0] as Tariff | undefined;
    const timeZone = (cdr.cdr_location as { time_zone?: string }).time_zone ?? 'UTC';
    const location = cdr.cdr_location as { address?: string; city?: string; postal_code?: string; evse_id?: string; name?: string };
    return {
      receipt: driverReceipt(cdr as unknown as Parameters<typeof driverReceipt>[0], tariff, timeZone),
      payment,
      cdrId: cdr.id,
      startedAt: cdr.start_date_time,
      endedAt: cdr.end_date_time,
      timeZone,
      address: [location.name, location.address, [location.postal_code, location.city].filter(Boolean).join(' ')].filter(Boolean).join(', '),
      evseId: location.evse_id ?? '',
    };
  }
}

/** The page's state from the payment and its transaction. */
export function stateOf(payment: Payment, transaction: Transaction | undefined): DriverSessionState {
  switch (payment.status) {
    case 'created':
      return payment.failure ? 'declined' : 'paying';
    case 'failed':
      return 'failed';
    case 'held':
      if (!transaction) return 'starting';
      return transaction.status === 'ACTIVE' ? 'charging' : 'finishing';
    case 'settling':
      return 'finishing';
    case 'captured':
      return 'finished';
    case 'canceled':
      // Never held: the Checkout page expired or was canceled before the driver paid.
      return payment.cdrId ? 'finished' : payment.heldAmount === null ? 'expired' : 'not_started';
  }
}

/** A connector's power from its voltage and current when max_electric_power is not given (3 phases for AC_3_PHASE). */
function estimatedPowerKw(connector: { power_type?: string; max_voltage?: number; max_amperage?: number }): number | null {
  if (!connector.max_voltage || !connector.max_amperage) return null;
  const phases = connector.power_type === 'AC_3_PHASE' ? 3 : 1;
  return Math.round((connector.max_voltage * connector.max_amperage * phases) / 100) / 10;
}
