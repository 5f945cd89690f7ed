// The dashboard's Reliability section (docs/reliability.md): per-CPO scorecards over the last 30 days
// and the worst EVSEs with why, from GET /admin/reliability/partners and /admin/reliability/alerts
// with the key dashboard.js keeps in sessionStorage. Its own file beside dashboard.js: it reloads when
// the overview does (body[data-loaded]), but the scorecards (a report over every EVSE) at most every
// five minutes. Ids and texts reach the page only as textContent.
'use strict';

(() => {
  const { KEY_ITEM, $, h, api } = window.HubDom;
  const MAX_AGE_MS = 5 * 60_000;



  const pct = (x) => (x === null || x === undefined ? '–' : `${(100 * x).toFixed(1)} %`);
  const hours = (x) => (x === null || x === undefined ? '–' : `${x.toFixed(1)} h`);
  const cell = (col, text, cls) => h('td', { 'data-col': col, class: cls }, text);
  const scoreClass = (score) => (score === null ? '' : score < 70 ? 'bad' : score < 90 ? 'warn' : 'good');

  function renderScorecards(cards) {
    const rows = [...cards.cpos, ...(cards.network ? [{ ...cards.network, cpo: 'network' }] : [])].map((c) =>
      h('tr', { 'data-cpo': c.cpo },
        h('th', { scope: 'row' }, c.cpo),
        cell('evses', String(c.evses), 'num'),
        cell('attempts', String(c.attempts), 'num'),
        cell('success-rate', pct(c.success_rate), 'num'),
        cell('first-attempt', pct(c.first_attempt_success), 'num'),
        cell('uptime-uk', pct(c.uptime_uk), 'num'),
        cell('uptime-nevi', pct(c.uptime_nevi), 'num'),
        cell('unmeasured', pct(c.unmeasured_share), 'num'),
        cell('mtbf', hours(c.mtbf_hours), 'num'),
        cell('mttr', hours(c.mttr_hours), 'num'),
        cell('health', c.health_median === null ? '–' : c.health_median.toFixed(0), `num ${scoreClass(c.health_median)}`),
        cell('alerting', String(c.evses_alerting), 'num')));
    $('#reliability-scorecards tbody').replaceChildren(...rows);
    $('#reliability-period').textContent = `${new Date(cards.from).toLocaleDateString('en-GB')} – ${new Date(cards.to).toLocaleDateString('en-GB')}`;
  }

  function renderWorst(cards, alerts) {
    const open = new Map();
    for (const a of alerts.alerts) open.set(a.subject, [...(open.get(a.subject) ?? []), a.kind]);
    const worst = cards.cpos.flatMap((c) => c.worst_evses).sort((a, b) => a.score - b.score).slice(0, 10);
    const rows = worst.map((e) =>
      h('tr', { 'data-evse': e.evse },
        h('th', { scope: 'row' }, e.evse),
        cell('score', e.score.toFixed(0), `num ${scoreClass(e.score)}`),
        cell('success-rate', pct(e.success_rate), 'num'),
        cell('why', e.explanation.length ? h('ul', {}, e.explanation.map((line) => h('li', {}, line))) : 'no signal costs points'),
        cell('alerts', (open.get(e.evse) ?? []).join(', ') || '–')));
    $('#reliability-worst tbody').replaceChildren(...rows);
    const offline = alerts.alerts.filter((a) => a.kind === 'charger_offline').map((a) => a.subject.replace(/^charger:/, ''));
    $('#reliability-offline').textContent = offline.length ? `Chargers offline (confirmed by a probe): ${offline.join(', ')}` : '';
    $('#reliability-offline').hidden = offline.length === 0;
  }

  let last;
  let loading = false;
  async function load() {
    if (!sessionStorage.getItem(KEY_ITEM) || $('#overview').hidden || loading) return;
    loading = true;
    try {
      const fresh = last && Date.now() - last.at < MAX_AGE_MS;
      const [cards, alerts] = await Promise.all([fresh ? last.cards : api('/admin/reliability/partners?worst=10'), api('/admin/reliability/alerts')]);
      if (!fresh) last = { at: Date.now(), cards };
      renderScorecards(cards);
      renderWorst(cards, alerts);
      $('#reliability-error').hidden = true;
      document.body.dataset.reliabilityLoaded = String(Date.now());
    } catch (error) {
      $('#reliability-error').textContent = `Could not load the reliability figures: ${error.message}`;
      $('#reliability-error').hidden = false;
    } finally {
      loading = false;
    }
  }

  document.addEventListener('DOMContentLoaded', () => {
    new MutationObserver(() => void load()).observe(document.body, { attributes: true, attributeFilter: ['data-loaded'] });
  });
})();
