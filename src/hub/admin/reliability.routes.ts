import Router from '@koa/router';
import { z } from 'zod';
import { AdminError, parseAdminBody } from '../../http/admin-http';
import { csvOf } from '../settlement/settlement.csv';
import type { RollUpRow } from '../../core/reliability/reliability-core';
import type { ReliabilityReport, EvseReport } from '../reliability/reliability-report';
import type { ReliabilityAlerting } from '../reliability/reliability-alerting';
import type { ReliabilityExclusions } from '../reliability/reliability-exclusions';
import { EXCLUSION_CAUSES } from '../../core/reliability/reliability-core';

const DAY_MS = 86_400_000;
/** Longest period one request may ask for: a calendar year and a bit (the UK and NEVI rules are annual). */
const MAX_PERIOD_DAYS = 400;
const Instant = z.iso.datetime({ offset: true }).transform((text) => new Date(text).getTime());
const Cpo = z.string().regex(/^[A-Z]{2}\/[A-Z0-9]{3}$/, 'cpo is CC/PID, e.g. NL/CPO');

const PeriodQuery = {
  from: Instant.optional(),
  to: Instant.optional(),
};
const EvsesQuery = z.strictObject({
  ...PeriodQuery,
  cpo: Cpo.optional(),
  location: z.string().min(1).max(36).optional(),
  /** worst health first (default), or lowest success rate first. */
  sort: z.enum(['health', 'success_rate']).default('health'),
  limit: z.coerce.number().int().min(1).max(10_000).default(100),
});
const PartnersQuery = z.strictObject({ ...PeriodQuery, cpo: Cpo.optional(), worst: z.coerce.number().int().min(0).max(50).default(5) });
const ExclusionBody = z.strictObject({
  cpo: Cpo,
  location_id: z.string().min(1).max(36),
  evse_uid: z.string().min(1).max(36).optional(),
  cause: z.enum(EXCLUSION_CAUSES),
  from: z.iso.datetime({ offset: true }).transform((text) => new Date(text)),
  to: z.iso.datetime({ offset: true }).transform((text) => new Date(text)),
  note: z.string().max(500).optional(),
});
const EXCLUSION_ID = /^[1-9]\d{0,17}$/;
const EVSE_KEY = /^[A-Z]{2}\/[A-Z0-9]{3}\/[^/]{1,36}\/[^/]{1,36}$/;

/** The period asked for: [from, to), the last 30 days by default; refused when reversed or longer than MAX_PERIOD_DAYS. */
function periodOf(q: { from?: number; to?: number }): { from: number; to: number } {
  const to = q.to ?? Date.now();
  const from = q.from ?? to - 30 * DAY_MS;
  if (from >= to) throw new AdminError(400, 'invalid', 'from must be before to');
  if (to - from > MAX_PERIOD_DAYS * DAY_MS) throw new AdminError(400, 'invalid', `a period is at most ${MAX_PERIOD_DAYS} days`);
  return { from, to };
}

const hours = (ms: number | null) => (ms === null ? null : Math.round((ms / 3_600_000) * 100) / 100);
const ratio = (x: number | null) => (x === null ? null : Math.round(x * 10_000) / 10_000);

/** An EVSE as the API shows it: figures as ratios (0–1) and hours, the health with its explanation. */
function evseJson(e: EvseReport) {
  const f = e.figures;
  return {
    evse: e.evse,
    cpo: e.cpo,
    location_id: e.locationId,
    evse_uid: e.evseUid,
    kind: e.kind,
    max_power_kw: e.maxPowerKw,
    attempts: e.attempts,
    refused_tokens: e.refusedTokens,
    success_rate: ratio(f.successRate),
    first_attempt_success: ratio(f.firstAttemptSuccess),
    uptime_uk: ratio(f.uk),
    uptime_nevi: ratio(f.nevi),
    unmeasured_share: ratio(f.unmeasuredShare),
    failures: e.failures,
    mtbf_hours: hours(f.mtbfMs),
    mttr_hours: hours(f.mttrMs),
    energy_ratio: ratio(f.energyRatio),
    power_shortfall_share: ratio(f.powerShortfallShare),
    abnormal_ends: f.abnormalEnds,
    time_hours: {
      uk_reliable: hours(e.time.ukReliableMs),
      uk_not_reliable: hours(e.time.ukNotReliableMs),
      uk_ineligible: hours(e.time.ukIneligibleMs),
      uk_excluded: hours(e.time.ukExcludedMs),
      nevi_up: hours(e.time.neviUpMs),
      nevi_outage: hours(e.time.neviOutageMs),
      nevi_excluded_outage: hours(e.time.neviExcludedOutageMs),
      not_in_service: hours(e.time.notInServiceMs),
      unmeasured: hours(e.time.unmeasuredMs),
    },
    health: {
      score: e.health.score,
      learning: e.health.learning,
      explanation: e.health.explanation,
      signals: e.health.moved.map((m) => ({ signal: m.signal, recent: m.recent, baseline: m.baseline, cusum: m.cusum, drifting: m.drifting, over_limit: m.overLimit, points_lost: m.pointsLost })),
      not_observed: e.health.notObserved,
    },
    alerts: e.alerts.map((a) => ({ kind: a.kind, at: new Date(a.at).toISOString(), message: a.message })),
  };
}

/** A CPO's (or the network's) scorecard from the summed totals of its EVSEs. */
function scorecardJson(row: RollUpRow, evses: EvseReport[], worst: number) {
  const f = row.figures;
  const mine = evses.filter((e) => row.level === 'network' || e.cpo === row.key).sort((a, b) => a.health.score - b.health.score);
  const scores = mine.map((e) => e.health.score);
  return {
    cpo: row.key,
    evses: row.evses,
    attempts: row.totals.sessions.attempts,
    success_rate: ratio(f.successRate),
    first_attempt_success: ratio(f.firstAttemptSuccess),
    uptime_uk: ratio(f.uk),
    uptime_nevi: ratio(f.nevi),
    unmeasured_share: ratio(f.unmeasuredShare),
    failures: row.totals.time.failures,
    mtbf_hours: hours(f.mtbfMs),
    mttr_hours: hours(f.mttrMs),
    energy_ratio: ratio(f.energyRatio),
    power_shortfall_share: ratio(f.powerShortfallShare),
    abnormal_ends: row.totals.sessions.endedAbnormally,
    rapid_evses: row.rapidEvses,
    uk_rapid_average: ratio(row.ukRapidAverage),
    meets_uk_rapid_target: row.meetsUkRapidTarget,
    health_median: scores.length ? scores[Math.floor((scores.length - 1) / 2)] : null,
    evses_alerting: mine.filter((e) => e.alerts.length > 0).length,
    worst_evses: mine.slice(0, worst).map((e) => ({ evse: e.evse, score: e.health.score, success_rate: ratio(e.figures.successRate), explanation: e.health.explanation })),
  };
}

export const SCORECARD_CSV_COLUMNS = [
  'cpo', 'from', 'to', 'evses', 'attempts', 'success_rate', 'first_attempt_success', 'uptime_uk', 'uptime_nevi', 'unmeasured_share',
  'failures', 'mtbf_hours', 'mttr_hours', 'energy_ratio', 'abnormal_ends', 'rapid_evses', 'uk_rapid_average', 'meets_uk_rapid_target',
  'health_median', 'evses_alerting',
] as const;

/**
 * Reliability measures per EVSE and per CPO (docs/reliability.md): `GET /admin/reliability/evses`
 * (worst first, filtered by CPO and location), one EVSE by its key `CC/PID/LOCATION/EVSE_UID`
 * (URL-encoded), and the partners' scorecards, as JSON or CSV. Every period is [from, to).
 */
export function reliabilityAdminRouter(deps: { reliability: ReliabilityReport; reliabilityAlerts: ReliabilityAlerting; reliabilityExclusions: ReliabilityExclusions }): Router {
  const router = new Router({ prefix: '/admin/reliability' });

  router.get('/evses', async (ctx) => {
    const q = parseAdminBody(EvsesQuery, { ...ctx.query });
    const period = periodOf(q);
    const report = await deps.reliability.run({ cpo: q.cpo, location: q.location }, period);
    const sorted = [...report.evses].sort((a, b) =>
      q.sort === 'health' ? a.health.score - b.health.score || a.evse.localeCompare(b.evse) : (a.figures.successRate ?? 2) - (b.figures.successRate ?? 2) || a.evse.localeCompare(b.evse),
    );
    ctx.body = {
      from: new Date(period.from).toISOString(),
      to: new Date(period.to).toISOString(),
      health_window_days: report.healthWindowDays,
      total: sorted.length,
      evses: sorted.slice(0, q.limit).map(evseJson),
    };
  });

  router.get('/evses/:id', async (ctx) => {
    const q = parseAdminBody(z.strictObject(PeriodQuery), { ...ctx.query });
    const key = ctx.params.id;
    if (!EVSE_KEY.test(key)) throw new AdminError(400, 'invalid', 'an EVSE is CC/PID/LOCATION/EVSE_UID, URL-encoded');
    const period = periodOf(q);
    const report = await deps.reliability.run({ evse: key }, period);
    if (report.evses.length === 0) throw new AdminError(404, 'not_found', `No status history for EVSE ${key}`);
    ctx.body = { from: new Date(period.from).toISOString(), to: new Date(period.to).toISOString(), health_window_days: report.healthWindowDays, ...evseJson(report.evses[0]) };
  });

  const scorecards = async (query: unknown) => {
    const q = parseAdminBody(PartnersQuery, query);
    const period = periodOf(q);
    const report = await deps.reliability.run({ cpo: q.cpo }, period);
    return {
      period,
      cpos: report.rollUp.cpo.map((row) => scorecardJson(row, report.evses, q.worst)),
      network: report.rollUp.network[0] ? scorecardJson(report.rollUp.network[0], report.evses, q.worst) : null,
    };
  };

  router.get('/partners', async (ctx) => {
    const { period, cpos, network } = await scorecards({ ...ctx.query });
    ctx.body = { from: new Date(period.from).toISOString(), to: new Date(period.to).toISOString(), cpos, network };
  });

  router.get('/partners.csv', async (ctx) => {
    const { period, cpos } = await scorecards({ ...ctx.query });
    const from = new Date(period.from).toISOString();
    const to = new Date(period.to).toISOString();
    ctx.body = csvOf(SCORECARD_CSV_COLUMNS, cpos.map((c) => ({ ...c, from, to })));
    ctx.type = 'text/csv; charset=utf-8';
    ctx.set('Content-Disposition', `attachment; filename="reliability-scorecards.csv"`);
  });

  // Periods excluded from uptime with their cause (the NEVI-style rule leaves outages in them out).
  router.get('/exclusions', async (ctx) => {
    const { cpo } = parseAdminBody(z.strictObject({ cpo: Cpo.optional() }), { ...ctx.query });
    ctx.body = { exclusions: await deps.reliabilityExclusions.list(cpo) };
  });
  router.post('/exclusions', async (ctx) => {
    ctx.body = await deps.reliabilityExclusions.add(parseAdminBody(ExclusionBody, ctx.request.body));
    ctx.status = 201;
  });
  router.delete('/exclusions/:id', async (ctx) => {
    if (!EXCLUSION_ID.test(ctx.params.id)) throw new AdminError(404, 'not_found', `No exclusion ${ctx.params.id}`);
    await deps.reliabilityExclusions.remove(ctx.params.id);
    ctx.status = 204;
  });

  // The reliability alerts open now (EVSE alerts, chargers confirmed offline by a probe).
  router.get('/alerts', async (ctx) => {
    ctx.body = { alerts: await deps.reliabilityAlerts.open() };
  });

  return router;
}
