// The dashboard's traffic section and alert banner (docs/traffic.md): GET /admin/alerts,
// /admin/traffic and /admin/traffic/stats with the key dashboard.js keeps in sessionStorage. Its own
// file beside dashboard.js: it reloads whenever the overview does (dashboard.js marks
// body[data-loaded]) and when a filter changes. Plain SVG plots, as the rest of the page: no
// dependency to serve, nothing outside the page's content security policy. Text from partners
// (paths, errors, bodies) reaches the page only as textContent.
'use strict';

(() => {
  const { KEY_ITEM, SVG, $, h, s, api } = window.HubDom;



  const when = (value) => (value ? new Date(value).toLocaleString('en-GB', { dateStyle: 'short', timeStyle: 'medium' }) : '–');
  const ms = (value) => (value === null || value === undefined ? '–' : `${Number(value).toFixed(value < 10 ? 1 : 0)} ms`);
  const percent = (value) => `${(100 * value).toFixed(1)} %`;

  function renderBanner({ partners, webhook, traffic }) {
    const banner = $('#alert-banner');
    const items = partners.map((p) =>
      h('li', { 'data-alert': p.partner, class: p.status.toLowerCase() },
        h('strong', {}, `${p.partner} ${p.status}`), ` (${p.name}) since ${when(p.failing_since)}, ${p.consecutive_failures} failed calls in a row: `,
        h('span', { class: 'error-text' }, p.last_error ?? '')),
    );
    if (webhook.failed) items.push(h('li', { 'data-alert': 'webhook' }, `${webhook.failed} alert webhook posts were given up`));
    if (traffic.dropped) items.push(h('li', { 'data-alert': 'traffic' }, `${traffic.dropped} traffic records dropped on this instance (database slow or away)`));
    banner.replaceChildren(...(items.length ? [h('ul', {}, items)] : []));
    banner.hidden = items.length === 0;
  }

  /** Error rate (bars, 0–100 %) and latency p50/p95/p99 (lines, ms) of one partner per bucket. */
  function partnerPlot(partner, bucketSeconds, from, to) {
    const width = 420;
    const height = 150;
    const pad = { left: 44, right: 40, top: 8, bottom: 20 };
    const t0 = new Date(from).getTime();
    const t1 = new Date(to).getTime();
    const x = (t) => pad.left + ((t - t0) / Math.max(1, t1 - t0)) * (width - pad.left - pad.right);
    const top = Math.max(1, ...partner.buckets.map((b) => b.p99_ms)) * 1.1;
    const y = (v) => height - pad.bottom - (v / top) * (height - pad.top - pad.bottom);
    const yRate = (r) => height - pad.bottom - r * (height - pad.top - pad.bottom);
    const barWidth = Math.max(1, x(t0 + bucketSeconds * 1000) - x(t0) - 1);
    const line = (field) => partner.buckets.map((b, i) => `${i ? 'L' : 'M'}${(x(new Date(b.start).getTime()) + barWidth / 2).toFixed(1)},${y(b[field]).toFixed(1)}`).join(' ');
    return s('svg', { viewBox: `0 0 ${width} ${height}`, class: 'plot traffic-plot', role: 'img', 'aria-label': `${partner.partner}: error rate and latency`, 'data-plot': partner.partner },
      ...partner.buckets.map((b) =>
        s('rect', { class: 'error-bar', x: x(new Date(b.start).getTime()).toFixed(1), y: yRate(b.error_rate).toFixed(1), width: barWidth.toFixed(1), height: (yRate(0) - yRate(b.error_rate)).toFixed(1), 'data-errors': b.errors },
          s('title', {}, `${when(b.start)}: ${b.requests} requests, ${b.errors} failed (${percent(b.error_rate)}), p95 ${ms(b.p95_ms)}`))),
      // A dot per bucket as well: a lone bucket has no line to draw.
      ...partner.buckets.map((b) => s('circle', { class: 'p95-dot', cx: (x(new Date(b.start).getTime()) + barWidth / 2).toFixed(1), cy: y(b.p95_ms).toFixed(1), r: 2.5 })),
      s('path', { d: line('p50_ms'), class: 'p50' }),
      s('path', { d: line('p95_ms'), class: 'p95' }),
      s('path', { d: line('p99_ms'), class: 'p99' }),
      s('text', { x: 4, y: y(top / 1.1) + 4, class: 'axis' }, ms(top / 1.1)),
      s('text', { x: 4, y: y(0), class: 'axis' }, '0'),
      s('text', { x: width - 2, y: yRate(1) + 8, class: 'axis rate', 'text-anchor': 'end' }, '100 %'),
      s('text', { x: pad.left, y: height - 4, class: 'axis' }, when(from)),
      s('text', { x: width - pad.right, y: height - 4, class: 'axis', 'text-anchor': 'end' }, when(to)),
    );
  }

  function renderStats(stats) {
    const select = $('#traffic-partner');
    const chosen = select.value;
    const names = [...new Set([...stats.partners.map((p) => p.partner), chosen].filter(Boolean))].sort();
    select.replaceChildren(h('option', { value: '' }, 'all partners'), ...names.map((n) => h('option', { value: n, selected: n === chosen }, n)));
    $('#traffic-plots').replaceChildren(
      ...(stats.partners.length
        ? stats.partners.map((p) =>
            h('figure', { class: 'traffic-partner', 'data-partner': p.partner },
              h('figcaption', {}, h('strong', {}, p.partner), ' ',
                h('span', { 'data-figure': 'requests' }, `${p.totals.requests} requests`), ', ',
                h('span', { 'data-figure': 'error-rate' }, `${percent(p.totals.error_rate)} failed`), ', p50/p95/p99 ',
                h('span', { 'data-figure': 'latency' }, `${ms(p.totals.p50_ms)} / ${ms(p.totals.p95_ms)} / ${ms(p.totals.p99_ms)}`)),
              partnerPlot(p, stats.bucket_seconds, stats.from, stats.to)))
        : [h('p', { class: 'empty' }, 'No traffic recorded in this window.')]),
    );
  }

  async function showRecord(id) {
    const r = await api(`/admin/traffic/${encodeURIComponent(id)}`);
    const pane = $('#traffic-detail');
    const text = (value) => h('pre', {}, value ?? '–');
    pane.replaceChildren(
      h('h3', {}, `${r.direction === 'in' ? '→ hub' : 'hub →'} ${r.method} ${r.path}`),
      h('p', {}, `${when(r.at)} · ${r.partner ?? 'no party'} · HTTP ${r.http_status ?? '–'} · OCPI ${r.ocpi_status ?? '–'} · ${ms(r.ms)} · X-Request-ID ${r.request_id ?? '–'} · X-Correlation-ID ${r.correlation_id ?? '–'}`),
      r.error ? h('p', { class: 'error-text' }, r.error) : null,
      ...(r.bodies_kept
        ? [h('h4', {}, 'Request headers'), text(JSON.stringify(r.request_headers, null, 2)), h('h4', {}, 'Request body'), text(r.request_body), h('h4', {}, 'Response body'), text(r.response_body)]
        : [h('p', { class: 'empty' }, 'Bodies not kept for this request (TRAFFIC_BODIES).')]),
    );
    pane.hidden = false;
  }

  function renderRecords({ records }) {
    const rows = records.map((r) =>
      h('tr', { 'data-record': r.id, class: r.failed ? 'failed' : '' },
        h('td', {}, when(r.at)),
        h('td', {}, r.direction),
        h('td', {}, r.partner ?? '–'),
        h('td', {}, r.method),
        h('td', {}, r.module),
        h('td', {}, h('button', { type: 'button', class: 'link', onclick: () => void showRecord(r.id) }, r.object_id ?? r.path)),
        h('td', { class: 'num' }, r.http_status ?? '–'),
        h('td', { class: `num${r.failed ? ' bad' : ''}`, 'data-col': 'ocpi' }, r.ocpi_status ?? '–'),
        h('td', { class: 'num' }, ms(r.ms)),
        h('td', { class: 'num' }, `${r.request_bytes} / ${r.response_bytes}`),
        h('td', { class: 'error-text' }, r.error ?? ''),
      ),
    );
    $('#traffic-records tbody').replaceChildren(...(rows.length ? rows : [h('tr', { class: 'empty' }, h('td', { colspan: 11 }, 'No requests match.'))]));
  }

  // The stats are an aggregate over 24 h of records: asked for at most once a minute unless the
  // filters change (the records and the banner follow every reload).
  const STATS_MAX_AGE_MS = 60_000;
  let lastStats;

  let loading = false;
  async function load() {
    if (!sessionStorage.getItem(KEY_ITEM) || $('#overview').hidden || loading) return;
    loading = true;
    try {
      const filters = new URLSearchParams();
      for (const [name, id] of [['partner', '#traffic-partner'], ['module', '#traffic-module'], ['direction', '#traffic-direction'], ['status', '#traffic-status']]) {
        if ($(id).value) filters.set(name, $(id).value);
      }
      const stats = new URLSearchParams({ bucket: $('#traffic-bucket').value });
      for (const name of ['partner', 'direction']) if (filters.get(name)) stats.set(name, filters.get(name));
      const statsQuery = String(stats);
      const fresh = lastStats && lastStats.query === statsQuery && Date.now() - lastStats.at < STATS_MAX_AGE_MS;
      const [alerts, statsBody, records] = await Promise.all([
        api('/admin/alerts'),
        fresh ? lastStats.body : api(`/admin/traffic/stats?${statsQuery}`),
        api(`/admin/traffic?limit=50&${filters}`),
      ]);
      if (!fresh) lastStats = { query: statsQuery, at: Date.now(), body: statsBody };
      renderBanner(alerts);
      renderStats(statsBody);
      renderRecords(records);
      $('#traffic-error').hidden = true;
      document.body.dataset.trafficLoaded = String(Date.now());
    } catch (error) {
      $('#traffic-error').textContent = `Could not load the traffic: ${error.message}`;
      $('#traffic-error').hidden = false;
    } finally {
      loading = false;
    }
  }

  document.addEventListener('DOMContentLoaded', () => {
    for (const id of ['#traffic-partner', '#traffic-module', '#traffic-direction', '#traffic-status', '#traffic-bucket']) $(id).addEventListener('change', () => void load());
    // Whenever dashboard.js has (re)loaded the overview.
    new MutationObserver(() => void load()).observe(document.body, { attributes: true, attributeFilter: ['data-loaded'] });
  });
})();
