import path from 'node:path';
import cron from 'node-cron';
import { z } from 'zod';
import { describeIssues } from './zod-issues';
import { OFFERABLE_VERSIONS, type OcpiVersion } from '../core/ocpi-versions/ocpi-versions';
import { PAYMENTS_ENV, type PaymentsConfig, paymentsConfig } from './payments-config';
import { PERIOD_KINDS, type PeriodKind } from '../core/settlement/period';
import { isValidTimeZone } from '../core/pricing/local-time';
import type { RateLimit } from '../core/rate-limit/token-buckets';
import { parseCidr } from './outbound-address-policy';

const port = z.coerce.number().int().min(0).max(65535);

/** A comma-separated list of CIDR ranges or addresses; each is checked here so a typo stops the start. */
const cidrList = (variable: string) =>
  z
    .string()
    .default('')
    .transform((text) => text.split(',').map((item) => item.trim()).filter(Boolean))
    .superRefine((items, ctx) => {
      for (const item of items) {
        try {
          parseCidr(item);
        } catch (error) {
          ctx.addIssue({ code: 'custom', message: `${variable}: ${(error as Error).message}` });
        }
      }
    });

const EnvSchema = z.object({
  PORT: port.default(8080),
  HOST: z.string().min(1).default('127.0.0.1'),
  PUBLIC_URL: z.url().optional(),
  DATABASE_URL: z.string().min(1).optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  EMBEDDED_PG_PORT: port.default(54329),
  ADMIN_API_KEY: z.string().min(16, 'ADMIN_API_KEY must be at least 16 characters').optional(),
  ADMIN_API_KEY_LABEL: z.string().regex(/^[\x21-\x7e][\x20-\x7e]{0,63}$/, 'ADMIN_API_KEY_LABEL must be 1 to 64 printable ASCII characters').default('admin'),
  TOKEN_ENCRYPTION_KEY: z
    .string()
    .regex(/^[0-9a-fA-F]{64}$/, 'TOKEN_ENCRYPTION_KEY must be 64 hex characters (32 bytes)')
    .optional(),
  HUB_COUNTRY_CODE: z.string().regex(/^[A-Z]{2}$/, 'HUB_COUNTRY_CODE must be two capital letters').default('NL'),
  HUB_PARTY_ID: z.string().regex(/^[A-Z0-9]{3}$/, 'HUB_PARTY_ID must be three capital letters or digits').default('HUB'),
  HUB_NAME: z.string().min(1).default('Open Roaming Hub'),
  OWN_CPO_COUNTRY_CODE: z.string().regex(/^[A-Z]{2}$/, 'OWN_CPO_COUNTRY_CODE must be two capital letters').optional(),
  OWN_CPO_CURRENCY: z.string().regex(/^[A-Z]{3}$/, 'OWN_CPO_CURRENCY must be an ISO 4217 code like EUR').default('EUR'),
  SESSION_UPDATE_INTERVAL_SECONDS: z.coerce.number().min(0, 'SESSION_UPDATE_INTERVAL_SECONDS must be 0 or more').default(60),
  // Bookings at the own CPO (docs/scheduling.md).
  BOOKING_NO_SHOW_GRACE_MINUTES: z.coerce.number().min(0, 'BOOKING_NO_SHOW_GRACE_MINUTES must be 0 or more').max(1440).default(15),
  BOOKING_BOOKABLE_SHARE: z.coerce.number().min(0, 'BOOKING_BOOKABLE_SHARE must be within 0..1').max(1, 'BOOKING_BOOKABLE_SHARE must be within 0..1').default(1),
  BOOKING_FREE_CANCEL_MINUTES: z.coerce.number().min(0, 'BOOKING_FREE_CANCEL_MINUTES must be 0 or more').default(60),
  OWN_CPO_PARTY_ID: z.string().regex(/^[A-Z0-9]{3}$/, 'OWN_CPO_PARTY_ID must be three capital letters or digits').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  OCPI_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  RELIABILITY_PROBE_TIMEOUT_MS: z.coerce.number().int().positive().default(30_000),
  MAX_BODY_BYTES: z.coerce.number().int().positive().default(1_000_000),
  OCPI_VERSIONS: z
    .string()
    .default('2.2.1')
    .transform((text) => [...new Set(text.split(',').map((v) => v.trim()).filter(Boolean))])
    .refine((versions) => versions.length > 0 && versions.every((v) => (OFFERABLE_VERSIONS as readonly string[]).includes(v)), {
      message: `OCPI_VERSIONS must list versions the hub can offer: ${OFFERABLE_VERSIONS.join(', ')}`,
    })
    .transform((versions) => OFFERABLE_VERSIONS.filter((v) => versions.includes(v))),
  OUTBOX_MAX_ATTEMPTS: z.coerce.number().int().positive().default(12),
  OUTBOX_BASE_BACKOFF_MS: z.coerce.number().int().positive().default(1_000),
  OUTBOX_POLL_INTERVAL_MS: z.coerce.number().int().positive().default(500),
  STILL_ALIVE_IDLE_SECONDS: z.coerce.number().int().positive().default(300),
  CDR_RATING_TOLERANCE: z.coerce.number().min(0, 'CDR_RATING_TOLERANCE must be 0 or more').default(0.01),
  SETTLEMENT_CRON: z.string().refine((v) => cron.validate(v), 'SETTLEMENT_CRON must be a cron expression (e.g. 0 3 1 * *)').default('0 3 1 * *'),
  SETTLEMENT_PERIOD: z.enum(PERIOD_KINDS, `SETTLEMENT_PERIOD must be one of ${PERIOD_KINDS.join(', ')}`).default('monthly'),
  SETTLEMENT_TIME_ZONE: z
    .string()
    .refine(isValidTimeZone, 'SETTLEMENT_TIME_ZONE must be an IANA time zone, e.g. Europe/Amsterdam')
    .default('UTC'),
  OCPP_AUTO_REGISTER: z.enum(['true', 'false'], 'OCPP_AUTO_REGISTER must be true or false').default('false'),
  OCPP_HEARTBEAT_INTERVAL_SECONDS: z.coerce.number().int().positive().default(300),
  OCPP_PING_INTERVAL_SECONDS: z.coerce.number().min(0, 'OCPP_PING_INTERVAL_SECONDS must be 0 (off) or more').optional(),
  OCPP_TLS_KEY: z.string().min(1).optional(),
  OCPP_TLS_CERT: z.string().min(1).optional(),
  OCPP_TLS_PORT: port.default(8443),
  ...PAYMENTS_ENV,
  OCPP_TLS_CA: z.string().min(1).optional(),
  PKI_ORGANIZATION: z.string().min(1).max(64, 'PKI_ORGANIZATION must be at most 64 characters (X.520 organizationName)').optional(),
  PKI_CERTIFICATE_DAYS: z.coerce.number().int().min(1, 'PKI_CERTIFICATE_DAYS must be 1 to 3650').max(3650, 'PKI_CERTIFICATE_DAYS must be 1 to 3650').default(365),
  OUTBOUND_ALLOW: cidrList('OUTBOUND_ALLOW'),
  OUTBOUND_DENY: cidrList('OUTBOUND_DENY'),
  OUTBOUND_ALLOW_PRIVATE: z.enum(['true', 'false'], 'OUTBOUND_ALLOW_PRIVATE must be true or false').default('false'),
  RATE_LIMIT_PARTY_PER_SECOND: z.coerce.number().min(0, 'RATE_LIMIT_PARTY_PER_SECOND must be 0 (off) or more').default(200),
  RATE_LIMIT_PARTY_BURST: z.coerce.number().int().min(1, 'RATE_LIMIT_PARTY_BURST must be 1 or more').default(1000),
  RATE_LIMIT_CHARGER_PER_SECOND: z.coerce.number().min(0, 'RATE_LIMIT_CHARGER_PER_SECOND must be 0 (off) or more').default(20),
  RATE_LIMIT_CHARGER_BURST: z.coerce.number().int().min(1, 'RATE_LIMIT_CHARGER_BURST must be 1 or more').default(200),
  METRICS_TOKEN: z.string().min(16, 'METRICS_TOKEN must be at least 16 characters').optional(),
  DEMO: z.enum(['true', 'false'], 'DEMO must be true or false').optional(),
  TRAFFIC_RECORDING: z.enum(['on', 'off'], 'TRAFFIC_RECORDING must be on or off').default('on'),
  TRAFFIC_BODIES: z.enum(['off', 'errors', 'all'], 'TRAFFIC_BODIES must be off, errors or all').default('errors'),
  TRAFFIC_BODY_MAX_BYTES: z.coerce.number().int().min(256, 'TRAFFIC_BODY_MAX_BYTES must be 256 or more').default(16_384),
  TRAFFIC_RETENTION_HOURS: z.coerce.number().positive('TRAFFIC_RETENTION_HOURS must be more than 0').default(168),
  TRAFFIC_MAX_ROWS: z.coerce.number().int().min(1000, 'TRAFFIC_MAX_ROWS must be 1000 or more').default(1_000_000),
  ALERT_WEBHOOK_URL: z.url('ALERT_WEBHOOK_URL must be a URL').optional(),
  ALERT_WEBHOOK_SECRET: z.string().min(16, 'ALERT_WEBHOOK_SECRET must be at least 16 characters').optional(),
});

export interface Config {
  port: number;
  host: string;
  /** Base URL partners use to reach the hub; the versions URL is built from it. */
  publicUrl: string;
  databaseUrl?: string;
  dataDir: string;
  embeddedPostgresPort: number;
  adminApiKey?: string;
  /** Who holds the admin key, as the audit log names them (docs/dashboard.md, "Audit log"). */
  adminApiKeyLabel: string;
  tokenEncryptionKey?: string;
  hub: { countryCode: string; partyId: string; name: string };
  /** The CPO the hub's own charge points (OCPP) are published as; the hub's own address unless configured. */
  ownCpo: { countryCode: string; partyId: string; name: string; currency: string; sessionUpdateIntervalMs: number };
  logLevel: z.infer<typeof EnvSchema>['LOG_LEVEL'];
  ocpiTimeoutMs: number;
  /** How long a silent own charger has to answer the reliability probe (TriggerMessage Heartbeat) before it is alerted offline. */
  reliabilityProbeTimeoutMs: number;
  maxBodyBytes: number;
  /** The OCPI versions offered to partners (versions list, handshake), oldest first. */
  ocpiVersions: OcpiVersion[];
  outboxMaxAttempts: number;
  /** First retry delay; it doubles per attempt up to 10 minutes. */
  outboxBaseBackoffMs: number;
  outboxPollIntervalMs: number;
  /** A connected party silent this long gets a still-alive GET on its versions endpoint. */
  stillAliveIdleMs: number;
  /** The largest difference (currency units, kWh, hours) between a CDR and its re-rating not flagged. */
  cdrRatingTolerance: number;
  /** Scheduled settlement (docs/settlement.md): when it runs and the length of a statement's period. */
  settlement: { cron: string; period: PeriodKind; timeZone: string };
  ocpp: OcppConfig;
  /**
   * The hub's certificate authority for its chargers (docs/security.md): how long the certificates it
   * issues are valid, and the organization a CSR's subject O must name when set (2.0.1 OrganizationName, 1.6 CpoName).
   */
  pki: { certificateDays: number; organization?: string };
  /** Driver payments with Stripe and CPO payouts (docs/payments.md); off without STRIPE_SECRET_KEY. */
  payments: PaymentsConfig;
  /** Which addresses the hub may call (partner URLs): the SSRF guard. */
  outbound: { allow: string[]; deny: string[]; allowPrivate: boolean };
  /** Token buckets kept in memory per instance; a rate of 0 turns a limit off. */
  rateLimit: { party: RateLimit; charger: RateLimit };
  /** A Bearer token for /metrics alone (Prometheus), besides the admin key (docs/dashboard.md). */
  metricsToken?: string;
  /** DEMO: true/false forces the demo network on or off; unset, main.ts starts it on an empty embedded database. */
  demo?: boolean;
  /** The traffic recorder (docs/traffic.md): on or off, which bodies are kept, how long and how many rows. */
  traffic: { enabled: boolean; bodies: 'off' | 'errors' | 'all'; bodyMaxBytes: number; retentionMs: number; maxRows: number };
  /** Partner alerts posted to the operator's webhook, signed with the secret (docs/traffic.md). */
  alertWebhook?: { url: string; secret: string };
  /** Bookings at the own CPO (docs/scheduling.md): no-show grace, bookable share of a site, free cancellation. */
  bookings: { noShowGraceMinutes: number; bookableShare: number; freeCancelMinutes: number };
}

export interface OcppConfig {
  /** Unknown charge points that present a password are created PENDING instead of refused. */
  autoRegister: boolean;
  /** The Heartbeat interval given in BootNotification answers (also the retry wait when not Accepted). */
  heartbeatIntervalSeconds: number;
  /**
   * A connection silent this long gets a WebSocket ping, and is dropped when it stays silent as long
   * again without a pong; any message counts as activity, so a charger that heartbeats more often than
   * this is never pinged (many ignore pings). 0 turns pings off.
   */
  pingIntervalMs: number;
  /**
   * Security profile 2: a TLS listener for charge points, beside the plain one. With `caFile`
   * (profile 3) it asks for client certificates and takes only those signed by that CA; with `hubCa`
   * (OCPP_TLS_CA=hub) those the hub's own CA signed and did not revoke, and chargers without a
   * certificate by their password (profile 2: they enrol there).
   */
  tls?: { keyFile: string; certFile: string; port: number; caFile?: string; hubCa?: boolean };
}

/** Every environment variable the hub reads (README's configuration table is checked against it). */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(EnvSchema.shape);

/**
 * What the CLI takes from the hub's own configuration, read by the same rules: the URL the hub answers
 * on from this machine (HOST and PORT; a wildcard HOST is reached on loopback) and DATA_DIR.
 */
export function cliDefaults(env: NodeJS.ProcessEnv = process.env): { hubUrl: string; dataDir: string } {
  const parsed = EnvSchema.pick({ PORT: true, HOST: true, DATA_DIR: true }).safeParse(env);
  if (!parsed.success) throw new Error(`Invalid configuration: ${describeIssues(parsed.error, Infinity)}`);
  const { PORT, HOST, DATA_DIR } = parsed.data;
  const host = HOST === '0.0.0.0' ? '127.0.0.1' : HOST === '::' ? '[::1]' : HOST.includes(':') ? `[${HOST}]` : HOST;
  return { hubUrl: `http://${host}:${PORT}`, dataDir: path.resolve(DATA_DIR) };
}

/** Reads the environment once; a bad value stops the start with a sentence naming the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) throw new Error(`Invalid configuration: ${describeIssues(parsed.error, Infinity)}`);
  const e = parsed.data;
  if (Boolean(e.OCPP_TLS_KEY) !== Boolean(e.OCPP_TLS_CERT)) {
    throw new Error('Invalid configuration: OCPP_TLS_KEY and OCPP_TLS_CERT must be set together (the key and certificate files of the TLS listener)');
  }
  if (Boolean(e.ALERT_WEBHOOK_URL) !== Boolean(e.ALERT_WEBHOOK_SECRET)) {
    throw new Error('Invalid configuration: ALERT_WEBHOOK_URL and ALERT_WEBHOOK_SECRET must be set together (alerts are always signed)');
  }
  if (e.OCPP_TLS_CA && !e.OCPP_TLS_KEY) {
    throw new Error('Invalid configuration: OCPP_TLS_CA (client certificates, security profile 3) needs the TLS listener: set OCPP_TLS_KEY and OCPP_TLS_CERT too');
  }
  return {
    port: e.PORT,
    host: e.HOST,
    publicUrl: (e.PUBLIC_URL ?? `http://${e.HOST}:${e.PORT}`).replace(/\/+$/, ''),
    databaseUrl: e.DATABASE_URL,
    dataDir: path.resolve(e.DATA_DIR),
    embeddedPostgresPort: e.EMBEDDED_PG_PORT,
    adminApiKey: e.ADMIN_API_KEY,
    adminApiKeyLabel: e.ADMIN_API_KEY_LABEL,
    tokenEncryptionKey: e.TOKEN_ENCRYPTION_KEY,
    hub: { countryCode: e.HUB_COUNTRY_CODE, partyId: e.HUB_PARTY_ID, name: e.HUB_NAME },
    ownCpo: {
      countryCode: e.OWN_CPO_COUNTRY_CODE ?? e.HUB_COUNTRY_CODE,
      partyId: e.OWN_CPO_PARTY_ID ?? e.HUB_PARTY_ID,
      name: `${e.HUB_NAME} charge points`,
      currency: e.OWN_CPO_CURRENCY,
      sessionUpdateIntervalMs: e.SESSION_UPDATE_INTERVAL_SECONDS * 1000,
    },
    logLevel: e.LOG_LEVEL,
    payments: paymentsConfig(e),
    ocpiTimeoutMs: e.OCPI_TIMEOUT_MS,
    reliabilityProbeTimeoutMs: e.RELIABILITY_PROBE_TIMEOUT_MS,
    maxBodyBytes: e.MAX_BODY_BYTES,
    ocpiVersions: e.OCPI_VERSIONS,
    outboxMaxAttempts: e.OUTBOX_MAX_ATTEMPTS,
    outboxBaseBackoffMs: e.OUTBOX_BASE_BACKOFF_MS,
    outboxPollIntervalMs: e.OUTBOX_POLL_INTERVAL_MS,
    stillAliveIdleMs: e.STILL_ALIVE_IDLE_SECONDS * 1000,
    cdrRatingTolerance: e.CDR_RATING_TOLERANCE,
    settlement: { cron: e.SETTLEMENT_CRON, period: e.SETTLEMENT_PERIOD, timeZone: e.SETTLEMENT_TIME_ZONE },
    ocpp: {
      autoRegister: e.OCPP_AUTO_REGISTER === 'true',
      heartbeatIntervalSeconds: e.OCPP_HEARTBEAT_INTERVAL_SECONDS,
      // Twice the heartbeat interval: a charger that heartbeats as told is never pinged.
      pingIntervalMs: Math.round((e.OCPP_PING_INTERVAL_SECONDS ?? 2 * e.OCPP_HEARTBEAT_INTERVAL_SECONDS) * 1000),
      tls: e.OCPP_TLS_KEY && e.OCPP_TLS_CERT
        ? {
            keyFile: path.resolve(e.OCPP_TLS_KEY),
            certFile: path.resolve(e.OCPP_TLS_CERT),
            port: e.OCPP_TLS_PORT,
            // "hub": the hub's own certificate authority for its chargers (docs/security.md).
            ...(e.OCPP_TLS_CA === 'hub' ? { hubCa: true } : e.OCPP_TLS_CA ? { caFile: path.resolve(e.OCPP_TLS_CA) } : {}),
          }
        : undefined,
    },
    pki: { certificateDays: e.PKI_CERTIFICATE_DAYS, ...(e.PKI_ORGANIZATION ? { organization: e.PKI_ORGANIZATION } : {}) },
    outbound: { allow: e.OUTBOUND_ALLOW, deny: e.OUTBOUND_DENY, allowPrivate: e.OUTBOUND_ALLOW_PRIVATE === 'true' },
    rateLimit: {
      party: { ratePerSecond: e.RATE_LIMIT_PARTY_PER_SECOND, burst: e.RATE_LIMIT_PARTY_BURST },
      charger: { ratePerSecond: e.RATE_LIMIT_CHARGER_PER_SECOND, burst: e.RATE_LIMIT_CHARGER_BURST },
    },
    metricsToken: e.METRICS_TOKEN,
    demo: e.DEMO === undefined ? undefined : e.DEMO === 'true',
    traffic: {
      enabled: e.TRAFFIC_RECORDING === 'on',
      bodies: e.TRAFFIC_BODIES,
      bodyMaxBytes: e.TRAFFIC_BODY_MAX_BYTES,
      retentionMs: e.TRAFFIC_RETENTION_HOURS * 3_600_000,
      maxRows: e.TRAFFIC_MAX_ROWS,
    },
    alertWebhook: e.ALERT_WEBHOOK_URL && e.ALERT_WEBHOOK_SECRET ? { url: e.ALERT_WEBHOOK_URL, secret: e.ALERT_WEBHOOK_SECRET } : undefined,
    bookings: {
      noShowGraceMinutes: e.BOOKING_NO_SHOW_GRACE_MINUTES,
      bookableShare: e.BOOKING_BOOKABLE_SHARE,
      freeCancelMinutes: e.BOOKING_FREE_CANCEL_MINUTES,
    },
  };
}
