// The operator's dashboard: plain DOM and SVG, no build step. Every figure comes from the admin API
// (/admin/dashboard/*, /admin/settlement/*) with the admin key kept in this tab's sessionStorage.
// Text from partners (names, ids, errors) only ever reaches the page as textContent, never as HTML.
'use strict';

const { KEY_ITEM, SVG, $, h, s, ago, learnCurrencies, money } = window.HubDom;
const REFRESH_MS = 10_000;
const ANALYTICS_DAYS = 30;
const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const TIME_ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';




const key = () => sessionStorage.getItem(KEY_ITEM);

class Unauthorized extends Error {}

async function api(path) {
  const response = await fetch(path, { headers: { Authorization: `Bearer ${key()}`, Accept: 'application/json' } });
  if (response.status === 401) throw new Unauthorized('The admin key was refused');
  if (!response.ok) {
    const body = await response.json().catch(() => ({}));
    throw new Error(`${path}: ${response.status} ${body?.error?.message ?? ''}`);
  }
  return response.json();
}

const number = (value, digits = 0) =>
  value === null || value === undefined ? '–' : Number(value).toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const when = (value) => (value ? new Date(value).toLocaleString('en-GB', { dateStyle: 'short', timeStyle: 'short' }) : '–');

const badge = (text, kind = String(text).toLowerCase()) => h('span', { class: `badge ${kind}` }, text);
const figure = (name, text) => {
  const el = $(`[data-figure="${name}"]`);
  if (el) el.textContent = text;
};
const fill = (tbody, rows, empty, columns) => {
  tbody.replaceChildren(...(rows.length ? rows : [h('tr', { class: 'empty' }, h('td', { colspan: columns }, empty))]));
};

// ── the sections ─────────────────────────────────────────────────────────────────────────────────

/** A failing partner's last call error and since when; otherwise the last delivery given up. */
const lastError = (p) =>
  p.health.status === 'OK' ? (p.outbox.last_error ?? '') : `${p.health.last_error} (failing since ${when(p.health.failing_since)}, ${p.health.consecutive_failures} in a row)`;

function renderPartners({ partners, totals }) {
  figure('partners-connected', `${totals.connected} / ${totals.partners}`);
  figure('partners-total', `${totals.offline} offline, ${totals.down} down, ${totals.degraded} degraded, ${totals.suspended} suspended, ${totals.planned} not registered`);
  figure('outbox-pending', `${number(totals.outbox_pending)} pending`);
  figure('outbox-failed', `${number(totals.outbox_failed)} failed`);
  fill(
    $('#partners tbody'),
    partners.map((p) =>
      h('tr', { 'data-party': `${p.country_code}/${p.party_id}` },
        h('td', {}, h('strong', {}, p.name), h('br'), h('small', {}, `${p.country_code}/${p.party_id}`)),
        h('td', {}, p.roles.join(', ')),
        h('td', { 'data-col': 'version' }, p.ocpi_version ?? '–'),
        h('td', {}, badge(p.status)),
        h('td', { class: `health ${p.health.status.toLowerCase()}`, 'data-col': 'health' }, p.health.status),
        h('td', {}, ago(p.last_seen_at)),
        h('td', { class: 'num', 'data-col': 'pending' }, number(p.outbox.pending)),
        h('td', { class: `num${p.outbox.failed ? ' bad' : ''}`, 'data-col': 'failed' }, number(p.outbox.failed)),
        h('td', { class: 'num' }, number(p.outbox.delivered_24h)),
        h('td', { class: 'num' }, p.outbox.mean_latency_seconds_24h === null ? '–' : `${number(p.outbox.mean_latency_seconds_24h, 2)} s`),
        h('td', { class: 'error-text', 'data-col': 'last-error' }, lastError(p)),
      ),
    ),
    'No partners yet: onboard one with POST /admin/parties.',
    10,
  );
}

const EVSE_STATUSES = ['AVAILABLE', 'CHARGING', 'BLOCKED', 'RESERVED', 'OUTOFORDER', 'INOPERATIVE', 'PLANNED', 'UNKNOWN'];

function renderLocations({ locations, evse_status, chargers }) {
  figure('chargers-connected', `${chargers.connected} / ${chargers.total}`);
  figure('chargers-total', `${chargers.total - chargers.connected} offline`);
  figure('evses-charging', number(evse_status.CHARGING ?? 0));
  figure('evses-available', `${number(evse_status.AVAILABLE ?? 0)} available`);
  $('#evse-legend').replaceChildren(
    ...EVSE_STATUSES.filter((status) => evse_status[status]).map((status) => h('span', { 'data-status-count': status }, badge(status), ` ${evse_status[status]}`)),
  );
  const list = $('#locations .location-list');
  list.replaceChildren(
    ...(locations.length
      ? locations.map((l) =>
          h('article', { class: `location${l.own ? ' own' : ''}`, 'data-location': `${l.owner}/${l.id}` },
            h('h3', {}, l.name ?? l.id, ' ', h('small', {}, `${l.owner} · ${l.id}${l.city ? ` · ${l.city}` : ''}`)),
            h('ul', { class: 'evses' },
              l.evses.map((e) =>
                h('li', { title: e.charger_id ? `charger ${e.charger_id} ${e.charger_connected ? 'connected' : 'offline'}` : '' },
                  badge(e.status ?? 'UNKNOWN'), ' ', e.evse_id ?? e.uid,
                  e.charger_id ? h('small', {}, ` · ${e.charger_id}${e.charger_connected ? '' : ' (offline)'}`) : null),
              ),
            ),
          ),
        )
      : [h('p', { class: 'empty' }, 'No locations yet.')]),
  );
}

function sessionPlace(x) {
  return `${x.location_id ?? '–'} / ${x.evse_uid ?? '–'}`;
}

function renderSessions({ active, recent }) {
  figure('sessions-active', number(active.length));
  fill(
    $('#active-sessions tbody'),
    active.map((x) =>
      h('tr', { 'data-session': x.id },
        h('td', {}, x.id), h('td', {}, x.cpo), h('td', {}, x.emsp ?? '–'), h('td', {}, sessionPlace(x)),
        h('td', {}, when(x.start_date_time)), h('td', { class: 'num' }, number(x.kwh, 2)),
        h('td', { class: 'num' }, x.power_w === null ? '–' : `${number(x.power_w / 1000, 1)} kW`),
      ),
    ),
    'Nothing charging right now.',
    7,
  );
  fill(
    $('#recent-sessions tbody'),
    recent.slice(0, 15).map((x) =>
      h('tr', { 'data-session': x.id },
        h('td', {}, x.id), h('td', {}, x.cpo), h('td', {}, x.emsp ?? '–'), h('td', {}, sessionPlace(x)),
        h('td', {}, when(x.start_date_time)), h('td', {}, when(x.end_date_time)), h('td', { class: 'num' }, number(x.kwh, 2)),
        h('td', { class: 'num', 'data-col': 'cost' }, x.total_cost_incl_vat === null ? '–' : money(x.total_cost_incl_vat, x.currency)),
        h('td', {}, badge(x.status)),
      ),
    ),
    'No sessions have ended yet.',
    9,
  );
}

/** A line plot: allocated power (area) against the limit (line), both in kW. */
function loadPlot(samples) {
  const width = 560;
  const height = 160;
  const pad = { left: 44, right: 8, top: 8, bottom: 20 };
  const times = samples.map((p) => new Date(p.at).getTime());
  const t0 = Math.min(...times);
  const t1 = Math.max(t0 + 1, ...times);
  const top = Math.max(1, ...samples.map((p) => Math.max(p.allocated_w, p.limit_w ?? 0))) * 1.1;
  const x = (t) => pad.left + ((t - t0) / (t1 - t0)) * (width - pad.left - pad.right);
  const y = (w) => height - pad.bottom - (w / top) * (height - pad.top - pad.bottom);
  // A gap in a series (no limit in a bucket) starts a new stroke.
  const path = (field) =>
    samples
      .map((p, i) => (p[field] === null ? '' : `${i && samples[i - 1][field] !== null ? 'L' : 'M'}${x(times[i]).toFixed(1)},${y(p[field]).toFixed(1)}`))
      .join(' ');
  const area = `${path('allocated_w')} L${x(t1).toFixed(1)},${y(0)} L${x(t0).toFixed(1)},${y(0)} Z`;
  return s('svg', { viewBox: `0 0 ${width} ${height}`, class: 'plot', role: 'img', 'aria-label': 'allocated power against limit' },
    s('path', { d: area, class: 'allocated' }),
    s('path', { d: path('limit_w'), class: 'limit' }),
    s('text', { x: 4, y: y(top / 1.1) + 4, class: 'axis' }, `${number(top / 1.1 / 1000, 0)} kW`),
    s('text', { x: 4, y: y(0), class: 'axis' }, '0'),
    s('text', { x: pad.left, y: height - 4, class: 'axis' }, when(t0)),
    s('text', { x: width - pad.right, y: height - 4, class: 'axis', 'text-anchor': 'end' }, when(t1)),
  );
}

function renderSites({ available, sites }) {
  const list = $('#sites .site-list');
  sites = sites.filter((site) => site.samples.length > 0);
  if (!available || sites.length === 0) {
    list.replaceChildren(h('p', { class: 'empty', 'data-empty': 'sites' }, available ? 'No sites have reported load in the last 24 hours.' : 'No sites: load management is not set up on this hub.'));
    return;
  }
  list.replaceChildren(
    ...sites.map((site) => {
      const last = site.samples[site.samples.length - 1];
      return h('article', { class: 'site', 'data-site': site.site_id },
        h('h3', {}, `Site ${site.site_id} `, h('small', {}, last.limit_w === null ? `now ${number(last.allocated_w / 1000, 1)} kW, no limit` : `now ${number(last.allocated_w / 1000, 1)} of ${number(last.limit_w / 1000, 1)} kW`)),
        loadPlot(site.samples),
      );
    }),
  );
}

function renderStatements(statements) {
  fill(
    $('#statements tbody'),
    statements.map((st) =>
      h('tr', { 'data-statement': st.id },
        h('td', {}, h('a', { href: `#/statements/${st.id}` }, st.period.label)),
        h('td', {}, st.cpo), h('td', {}, st.emsp), h('td', {}, badge(st.status)),
        h('td', { class: 'num' }, number(st.totals.line_count)),
        h('td', { class: 'num' }, number(st.totals.energy_kwh, 3)),
        h('td', { class: 'num', 'data-col': 'net' }, money(st.totals.net, st.currency)),
        h('td', { class: 'num', 'data-col': 'gross' }, money(st.totals.gross, st.currency)),
        h('td', { class: `num${st.totals.mismatch_count ? ' bad' : ''}`, 'data-col': 'mismatches' }, number(st.totals.mismatch_count)),
        h('td', { class: 'num' }, number(st.totals.disputed_line_count)),
      ),
    ),
    'No statements yet: settlement runs after each period (POST /admin/settlement/runs runs one now).',
    10,
  );
}

/** Bars of sessions per day, with energy as a line on its own scale. */
function perDayChart(days) {
  const width = 900;
  const height = 180;
  const pad = { left: 36, right: 44, top: 10, bottom: 22 };
  const maxSessions = Math.max(1, ...days.map((d) => d.sessions));
  const maxEnergy = Math.max(1, ...days.map((d) => d.energy_kwh));
  const band = (width - pad.left - pad.right) / Math.max(1, days.length);
  const y = (v, max) => height - pad.bottom - (v / max) * (height - pad.top - pad.bottom);
  const bars = days.map((d, i) =>
    s('rect', { x: (pad.left + i * band + 1).toFixed(1), y: y(d.sessions, maxSessions).toFixed(1), width: Math.max(1, band - 2).toFixed(1),
      height: (height - pad.bottom - y(d.sessions, maxSessions)).toFixed(1), class: 'bar', 'data-day': d.day },
      s('title', {}, `${d.day}: ${d.sessions} sessions, ${number(d.energy_kwh, 1)} kWh`)),
  );
  const line = days.map((d, i) => `${i ? 'L' : 'M'}${(pad.left + (i + 0.5) * band).toFixed(1)},${y(d.energy_kwh, maxEnergy).toFixed(1)}`).join(' ');
  // Every step-th day and the last one, leaving out a regular label closer than a step to the last (they overlapped).
  const step = Math.ceil(days.length / 8);
  const last = days.length - 1;
  const labels = days.filter((_, i) => i === last || (i % step === 0 && last - i >= step)).map((d) =>
    s('text', { x: (pad.left + (days.indexOf(d) + 0.5) * band).toFixed(1), y: height - 6, class: 'axis', 'text-anchor': 'middle' }, d.day.slice(5)),
  );
  return s('svg', { viewBox: `0 0 ${width} ${height}`, class: 'plot', role: 'img', 'aria-label': 'sessions and energy per day' },
    ...bars, s('path', { d: line, class: 'energy' }), ...labels,
    s('text', { x: 2, y: pad.top + 8, class: 'axis' }, `${maxSessions}`),
    s('text', { x: width - 2, y: pad.top + 8, class: 'axis energy-label', 'text-anchor': 'end' }, `${number(maxEnergy, 0)} kWh`),
  );
}

function heatmapChart(cells) {
  const counts = new Map(cells.map((c) => [`${c.weekday}/${c.hour}`, c.sessions]));
  const max = Math.max(1, ...cells.map((c) => c.sessions));
  const cell = 18;
  const left = 34;
  const top = 14;
  const rects = [];
  for (let weekday = 1; weekday <= 7; weekday++) {
    rects.push(s('text', { x: 0, y: top + (weekday - 1) * cell + 13, class: 'axis' }, WEEKDAYS[weekday - 1]));
    for (let hour = 0; hour < 24; hour++) {
      const n = counts.get(`${weekday}/${hour}`) ?? 0;
      rects.push(s('rect', { x: left + hour * cell, y: top + (weekday - 1) * cell, width: cell - 2, height: cell - 2, rx: 2,
        class: 'heat', 'fill-opacity': n ? (0.15 + 0.85 * (n / max)).toFixed(2) : 0.04, 'data-cell': `${weekday}/${hour}`, 'data-sessions': n },
        s('title', {}, `${WEEKDAYS[weekday - 1]} ${String(hour).padStart(2, '0')}:00 — ${n} sessions`)));
    }
  }
  for (let hour = 0; hour < 24; hour += 3) rects.push(s('text', { x: left + hour * cell, y: 10, class: 'axis' }, String(hour).padStart(2, '0')));
  return s('svg', { viewBox: `0 0 ${left + 24 * cell} ${top + 7 * cell}`, class: 'plot heatmap', role: 'img', 'aria-label': 'peak hours' }, ...rects);
}

function renderAnalytics(a) {
  figure('window-days', String(ANALYTICS_DAYS));
  figure('sessions-window', number(a.totals.sessions));
  figure('energy-window', `${number(a.totals.energy_kwh, 1)} kWh`);
  figure('time-zone', a.time_zone);
  $('#per-day').replaceChildren(perDayChart(a.days));
  $('#heatmap').replaceChildren(heatmapChart(a.heatmap));
  fill(
    $('#utilisation tbody'),
    a.utilisation.slice(0, 20).map((u) =>
      h('tr', { 'data-evse': `${u.owner}/${u.location_id}/${u.evse_uid}` },
        h('td', {}, u.evse_id ?? u.evse_uid, h('br'), h('small', {}, `${u.owner} · ${u.location_id}`)),
        h('td', { class: 'num' }, number(u.sessions)),
        h('td', { class: 'num' }, number(u.energy_kwh, 1)),
        h('td', {}, h('span', { class: 'meter' }, h('span', { style: { width: `${(u.utilisation * 100).toFixed(1)}%` } })), ` ${number(u.utilisation * 100, 1)} %`),
      ),
    ),
    'No EVSEs yet.',
    4,
  );
}

function renderMaintenance({ chargers }) {
  fill(
    $('#maintenance tbody'),
    chargers.map((c) =>
      h('tr', { 'data-charger': c.charger_id },
        h('td', {}, c.charger_id), h('td', {}, c.location_id ?? '–'),
        h('td', {}, badge(c.offline ? 'OFFLINE' : 'CONNECTED')),
        h('td', { class: 'num' }, number(c.faults)), h('td', { class: 'num', 'data-col': 'faults-per-day' }, number(c.faults_per_day, 2)),
        h('td', {}, c.faulted_connectors.join(', ') || '–'), h('td', {}, ago(c.last_heartbeat_at)),
      ),
    ),
    'Every charger is connected and healthy.',
    7,
  );
}

/** AFIR readiness per location (/admin/afir/readiness): the checks with an error, each with its article. */
function renderAfir(reports) {
  fill(
    $('#afir tbody'),
    reports.map((r) =>
      h('tr', { 'data-location': `${r.owner}/${r.location_id}` },
        h('td', {}, r.location_id, h('br'), h('small', {}, r.owner)),
        h('td', { 'data-col': 'ready' }, badge(r.ready ? 'READY' : 'NOT_READY')),
        h('td', { class: 'num', 'data-col': 'errors' }, number(r.errors)),
        h('td', { class: 'num', 'data-col': 'warnings' }, number(r.warnings)),
        h('td', { 'data-col': 'failing' }, r.checks.filter((c) => !c.ok).map((c) => `${c.rule} (${c.article})`).join(', ') || '–'),
      ),
    ),
    'No locations yet.',
    5,
  );
}

// ── pages ────────────────────────────────────────────────────────────────────────────────────────

/** Which OCPI party eMSPs see the hub's own chargers under (the address agreements name). */
function renderOwnCpo(own) {
  figure('own-cpo', `${own.country_code}/${own.party_id}`);
  figure('own-cpo-name', `${own.name} · ${own.role} · ${own.currency}`);
}

async function loadOverview() {
  const [partners, locations, sessions, sites, statements, analytics, maintenance, ownCpo, afir] = await Promise.all([
    api('/admin/dashboard/partners'),
    api('/admin/dashboard/locations'),
    api('/admin/dashboard/sessions'),
    api('/admin/dashboard/sites'),
    api('/admin/settlement/statements?limit=50'),
    api(`/admin/dashboard/analytics?days=${ANALYTICS_DAYS}&time_zone=${encodeURIComponent(TIME_ZONE)}`).catch(() =>
      api(`/admin/dashboard/analytics?days=${ANALYTICS_DAYS}`),
    ),
    api('/admin/dashboard/maintenance'),
    api('/admin/own-cpo'),
    api('/admin/afir/readiness'),
  ]);
  await learnCurrencies([...sessions.active, ...sessions.recent].map((x) => x.currency).concat(statements.map((st) => st.currency)));
  renderPartners(partners);
  renderLocations(locations);
  renderSessions(sessions);
  renderSites(sites);
  renderStatements(statements);
  renderAnalytics(analytics);
  renderMaintenance(maintenance);
  renderOwnCpo(ownCpo);
  renderAfir(afir);
}

let currentStatement;

async function loadStatement(id) {
  const [{ statement }, version] = await Promise.all([
    api(`/admin/settlement/statements/${encodeURIComponent(id)}`),
    api(`/admin/settlement/statements/${encodeURIComponent(id)}/lines?limit=200`),
  ]);
  currentStatement = statement;
  await learnCurrencies([statement.currency]);
  const t = statement.totals;
  $('#statement-title').textContent = `Statement ${statement.period.label}: ${statement.cpo} → ${statement.emsp} (${statement.currency})`;
  const totals = [
    ['Status', statement.status], ['Version', String(version.version.version)], ['Lines', number(t.line_count)], ['Credit lines', number(t.credit_line_count)],
    ['Energy', `${t.energy_kwh} kWh`], ['Net', money(t.net, statement.currency)], ['VAT', money(t.vat, statement.currency)],
    ['Gross', money(t.gross, statement.currency)], ['Mismatches', number(t.mismatch_count)], ['Disputed lines', number(t.disputed_line_count)],
  ];
  $('#statement-totals').replaceChildren(...totals.flatMap(([label, value]) => [h('dt', {}, label), h('dd', { 'data-total': label.toLowerCase().replace(/ /g, '-') }, value)]));
  $('#lines-note').textContent = t.line_count > version.lines.length ? `first ${version.lines.length} of ${t.line_count}; the CSV has all` : '';
  fill(
    $('#statement-lines tbody'),
    version.lines.map((l) =>
      h('tr', { 'data-cdr': l.cdr_id, class: l.credit ? 'credit' : '' },
        h('td', {}, l.cdr_id), h('td', {}, l.session_id ?? '–'), h('td', {}, `${l.location_id ?? '–'} / ${l.evse_uid ?? '–'}`),
        h('td', {}, when(l.start_date_time)), h('td', {}, when(l.end_date_time)), h('td', { class: 'num' }, l.energy_kwh),
        h('td', { class: 'num' }, money(l.net, statement.currency)), h('td', { class: 'num' }, money(l.vat, statement.currency)),
        h('td', { class: 'num', 'data-col': 'gross' }, money(l.gross, statement.currency)),
        h('td', {}, badge(l.rating_status ?? 'unrated')),
      ),
    ),
    'This statement has no lines.',
    10,
  );
}

/** The CSV comes from the admin API with the key, so it is fetched and handed to the browser as a file. */
async function downloadCsv() {
  const statement = currentStatement;
  if (!statement) return;
  $('#csv-status').textContent = 'Preparing…';
  const response = await fetch(`/admin/settlement/statements/${encodeURIComponent(statement.id)}/csv`, { headers: { Authorization: `Bearer ${key()}` } });
  if (!response.ok) {
    $('#csv-status').textContent = `The CSV could not be made (${response.status})`;
    return;
  }
  const url = URL.createObjectURL(await response.blob());
  const link = h('a', { href: url, download: `statement-${statement.period.label}-${statement.cpo.replace('/', '-')}-${statement.emsp.replace('/', '-')}.csv` });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  $('#csv-status').textContent = 'Downloaded.';
}

// ── the shell: sign-in, routing, refresh ─────────────────────────────────────────────────────────

let timer;

function show(id) {
  for (const section of ['sign-in', 'overview', 'statement', 'charger', 'console']) $(`#${section}`).hidden = section !== id;
  $('#session-controls').hidden = id === 'sign-in';
}

async function render() {
  clearTimeout(timer);
  if (!key()) return show('sign-in');
  const route = /^#\/statements\/([0-9a-fA-F-]{36})$/.exec(location.hash);
  try {
    // The console draws itself (dashboard-console.js) when #console is shown.
    if (location.hash.startsWith('#/console')) {
      show('console');
    } else if (route) {
      show('statement');
      await loadStatement(route[1]);
    } else if (/^#\/chargers(\/|$)/.test(location.hash)) {
      show('charger'); // dashboard-charger.js draws it when body[data-loaded] changes
    } else {
      show('overview');
      await loadOverview();
      timer = setTimeout(render, REFRESH_MS);
    }
    $('#load-error').hidden = true;
    $('#updated').textContent = `updated ${new Date().toLocaleTimeString('en-GB')}`;
    document.body.dataset.loaded = String(Date.now());
  } catch (error) {
    if (error instanceof Unauthorized) {
      sessionStorage.removeItem(KEY_ITEM);
      $('#key-error').textContent = 'The hub refused that key.';
      return show('sign-in');
    }
    $('#load-error').textContent = `Could not load the figures: ${error.message}`;
    $('#load-error').hidden = false;
    timer = setTimeout(render, REFRESH_MS);
  }
}

document.addEventListener('DOMContentLoaded', () => {
  $('#key-form').addEventListener('submit', (event) => {
    event.preventDefault();
    sessionStorage.setItem(KEY_ITEM, $('#key-input').value.trim());
    $('#key-input').value = '';
    $('#key-error').textContent = '';
    void render();
  });
  $('#sign-out').addEventListener('click', () => {
    sessionStorage.removeItem(KEY_ITEM);
    void render();
  });
  $('#refresh').addEventListener('click', () => void render());
  $('#download-csv').addEventListener('click', () => void downloadCsv());
  window.addEventListener('hashchange', () => void render());
  void render();
});
