// The console (docs/dashboard.md, "The console"): the operator's actions and long lists, at #/console.
// Every action calls the existing admin API with the key dashboard.js keeps in sessionStorage (no
// second implementation): it asks before anything is destroyed, says what happened (a refusal with
// the hub's own error message), and the hub writes it to the audit log (GET /admin/audit), which
// the console shows. Lists are the admin API's keyset pages (/admin/search/*): "More" follows
// next_cursor. Text from partners reaches the page only as textContent, never as HTML.
'use strict';

(() => {
  const { $, h, authorization, learnCurrencies, money } = window.HubDom;


  /** One admin API call; the console sends X-Admin-Client so the audit log says where it came from. */
  async function call(method, path, body) {
    const response = await fetch(path, {
      method,
      headers: { Authorization: authorization(), Accept: 'application/json', 'X-Admin-Client': 'console', ...(body !== undefined && { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    let data = null;
    try {
      data = text ? JSON.parse(text) : null;
    } catch {
      data = text;
    }
    if (!response.ok) {
      const error = new Error(data?.error?.message ?? `HTTP ${response.status}`);
      error.status = response.status;
      throw error;
    }
    return data;
  }
  const get = (path) => call('GET', path);

  const when = (value) => (value ? new Date(value).toLocaleString('en-GB', { dateStyle: 'short', timeStyle: 'medium' }) : '–');
  const badge = (text) => h('span', { class: `badge ${String(text).toLowerCase()}` }, String(text));
  const json = (value) => h('pre', { class: 'console-json' }, JSON.stringify(value, null, 2));

  // ── what happened, and asking first ────────────────────────────────────────────────────────────

  function report(kind, text) {
    const el = $('#console-result');
    el.className = `console-result ${kind}`;
    el.textContent = text;
    el.hidden = false;
  }

  /** A modal question; resolves true on the confirming button. The page's own dialog (no inline code). */
  function ask(question, confirmLabel) {
    const dialog = $('#console-confirm');
    $('#console-confirm-text').textContent = question;
    $('#console-confirm-yes').textContent = confirmLabel;
    dialog.showModal();
    return new Promise((resolve) => {
      dialog.addEventListener('close', () => resolve(dialog.returnValue === 'yes'), { once: true });
    });
  }

  /**
   * Runs one action: asks first when `confirm` is given, reports the outcome (the hub's message when
   * it refused), then redraws the view so the list shows the new state.
   */
  async function act({ method, path, body, confirm, confirmLabel = 'Yes', done }) {
    if (confirm && !(await ask(confirm, confirmLabel))) {
      report('info', 'Cancelled: nothing was changed.');
      return undefined;
    }
    try {
      const result = await call(method, path, body);
      report('ok', typeof done === 'function' ? done(result) : done);
      await draw(false);
      return result;
    } catch (error) {
      report('refused', `Refused (${error.status ?? 'no answer'}): ${error.message}`);
      return undefined;
    }
  }

  function form(id, fields, submitLabel, onSubmit) {
    const el = h('form', { class: 'console-form', id }, ...fields.map(([name, label, attrs = {}]) =>
      attrs.options
        ? h('label', {}, `${label} `, h('select', { name }, ...attrs.options.map((o) => h('option', { value: o }, o || 'any'))))
        : h('label', {}, `${label} `, attrs.textarea ? h('textarea', { name, rows: 8, cols: 60, ...attrs }) : h('input', { name, ...attrs })),
    ), h('button', { type: 'submit' }, submitLabel));
    el.addEventListener('submit', (event) => {
      event.preventDefault();
      const values = Object.fromEntries(new FormData(el).entries());
      void onSubmit(values, el);
    });
    return el;
  }

  const table = (headers, rows, empty) =>
    h('table', {}, h('thead', {}, h('tr', {}, ...headers.map((x) => h('th', {}, x)))),
      h('tbody', {}, ...(rows.length ? rows : [h('tr', { class: 'empty' }, h('td', { colspan: headers.length }, empty))])));
  const button = (label, onclick, attrs = {}) => h('button', { type: 'button', onclick, ...attrs }, label);

  // ── the views ──────────────────────────────────────────────────────────────────────────────────

  async function partnersView() {
    const parties = await get('/admin/parties');
    const onboard = form('onboard-form', [
      ['country_code', 'Country', { required: true, maxlength: 2, size: 3 }],
      ['party_id', 'Party', { required: true, maxlength: 3, size: 4 }],
      ['name', 'Name', { required: true }],
      ['roles', 'Roles', { required: true, value: 'EMSP', placeholder: 'EMSP,CPO' }],
    ], 'Onboard', async (v, el) => {
      const result = await act({
        method: 'POST', path: '/admin/parties',
        body: { country_code: v.country_code, party_id: v.party_id, name: v.name, roles: v.roles.split(',').map((r) => r.trim().toUpperCase()).filter(Boolean) },
        done: (r) => `Onboarded ${r.party.country_code}/${r.party.party_id}: hand its token A and versions URL to the partner (shown once).`,
      });
      if (result) showTokenA(result.token_a, result.versions_url);
      else el.querySelector('input')?.focus();
    });
    const rows = parties.map((p) => {
      const name = `${p.country_code}/${p.party_id}`;
      return h('tr', { 'data-party': name },
        h('td', {}, h('strong', {}, name), ' ', h('small', {}, p.name)),
        h('td', {}, p.roles.map((r) => r.role).join(', ')),
        h('td', {}, badge(p.status)), h('td', {}, p.health?.status ?? '–'),
        h('td', {}, `${p.outbox.pending} pending, ${p.outbox.failed} failed`),
        h('td', { class: 'console-actions' },
          p.suspended_at
            ? button('Resume', () => act({ method: 'POST', path: `/admin/parties/${p.id}/resume`, done: `Resumed ${name}.` }), { 'data-action': 'resume' })
            : button('Suspend', () => act({ method: 'POST', path: `/admin/parties/${p.id}/suspend`, confirm: `Suspend ${name}? The hub stops routing to and from it until resumed.`, confirmLabel: 'Suspend', done: `Suspended ${name}.` }), { 'data-action': 'suspend' }),
          button('Reissue token A', async () => {
            const r = await act({ method: 'POST', path: `/admin/parties/${p.id}/token-a`, confirm: `Issue a new token A for ${name}? The old token A stops working.`, confirmLabel: 'Issue', done: `New token A for ${name} (shown once).` });
            if (r) showTokenA(r.token_a, r.versions_url);
          }, { 'data-action': 'token-a' }),
          button('Connect…', () => showConnect(p), { 'data-action': 'connect' }),
          button('Retry failed', () => act({ method: 'POST', path: `/admin/parties/${p.id}/outbox/retry`, done: (r) => `Re-queued ${r.requeued} failed deliveries to ${name}.` }), { 'data-action': 'retry' }),
          button('Delete', () => act({ method: 'DELETE', path: `/admin/parties/${p.id}`, confirm: `Delete ${name}? Its tokens stop working, its agreements and outbox go; this cannot be undone.`, confirmLabel: 'Delete', done: `Deleted ${name}.` }), { 'data-action': 'delete', class: 'danger' }),
        ));
    });
    return [h('h3', {}, 'Onboard a partner'), onboard, h('div', { id: 'token-a-box', hidden: true }), h('div', { id: 'connect-box', hidden: true }),
      h('h3', {}, 'Partners'), table(['Party', 'Roles', 'State', 'Health', 'Outbox', ''], rows, 'No partners yet.')];
  }

  function showTokenA(tokenA, versionsUrl) {
    const box = $('#token-a-box');
    box.hidden = false;
    box.className = 'console-secret';
    box.replaceChildren(h('p', {}, h('strong', {}, 'Token A, shown once: '), h('code', { 'data-secret': 'token-a' }, tokenA)), h('p', {}, 'Versions URL: ', h('code', {}, versionsUrl)),
      h('small', {}, 'The hub keeps only its hash; copy it now. It disappears when the console redraws.'));
  }

  function showConnect(p) {
    const box = $('#connect-box');
    box.hidden = false;
    box.replaceChildren(h('h3', {}, `Connect to ${p.country_code}/${p.party_id}'s versions URL`), form('connect-form', [
      ['versions_url', 'Versions URL', { required: true, size: 50, type: 'url' }],
      ['token', 'Their token A', { required: true, size: 30 }],
    ], 'Connect', (v) => act({ method: 'POST', path: `/admin/parties/${p.id}/connect`, body: v, done: (r) => `Connected to ${r.country_code}/${r.party_id}: OCPI ${r.version}, ${r.status}.` })));
  }

  async function agreementsView() {
    const agreements = await get('/admin/agreements');
    return [h('h3', {}, 'Add an agreement'), form('agreement-form', [['cpo', 'CPO', { required: true, placeholder: 'NL/CPO' }], ['emsp', 'eMSP', { required: true, placeholder: 'DE/EMS' }]], 'Add',
      (v) => act({ method: 'POST', path: '/admin/agreements', body: v, done: (r) => `Agreement ${r.cpo} ↔ ${r.emsp} added.` })),
    table(['CPO', 'eMSP', 'Since', ''], agreements.map((a) => h('tr', { 'data-agreement': `${a.cpo}-${a.emsp}` }, h('td', {}, a.cpo), h('td', {}, a.emsp), h('td', {}, when(a.created_at)),
      h('td', {}, button('Remove', () => act({ method: 'DELETE', path: `/admin/agreements/${a.id}`, confirm: `Remove the agreement ${a.cpo} ↔ ${a.emsp}? They stop exchanging data and tokens.`, confirmLabel: 'Remove', done: `Agreement ${a.cpo} ↔ ${a.emsp} removed.` }), { 'data-action': 'remove', class: 'danger' })))), 'No agreements.')];
  }

  async function statementsView() {
    const [statements, disputes] = await Promise.all([get('/admin/settlement/statements?limit=100'), get('/admin/settlement/disputes?status=open')]);
    await learnCurrencies(statements.map((s) => s.currency));
    const today = new Date().toISOString().slice(0, 10);
    return [h('h3', {}, 'Run settlement'), form('run-form', [['period', 'Period', { placeholder: 'last complete period, or 2024-03' }]], 'Run',
      (v) => act({ method: 'POST', path: '/admin/settlement/runs', body: v.period ? { period: v.period } : {},
        done: (r) => `Settlement run ${r.run_id} for ${r.period?.label ?? v.period}: ${r.lines_written} lines on ${Array.isArray(r.statements) ? r.statements.length : r.statements} statements.` })),
    table(['Period', 'CPO', 'eMSP', 'Status', 'Net', 'Disputed', ''], statements.map((st) => {
      const open = st.period.end > today;
      return h('tr', { 'data-statement': st.id }, h('td', {}, st.period.label), h('td', {}, st.cpo), h('td', {}, st.emsp), h('td', {}, badge(st.status)),
        h('td', { class: 'num' }, money(st.totals.net, st.currency)), h('td', { class: 'num' }, String(st.totals.disputed_line_count)),
        h('td', {}, st.status === 'open'
          ? button('Close', () => act({ method: 'POST', path: `/admin/settlement/statements/${st.id}/close`,
            confirm: `${open ? `Warning: the period ${st.period.label} is still open (it ends ${st.period.end}); CDRs that arrive later will not be on this statement. ` : ''}Close ${st.period.label} ${st.cpo} → ${st.emsp}? Its latest version becomes final.`,
            confirmLabel: 'Close', done: `Closed ${st.period.label} ${st.cpo} → ${st.emsp}.` }), { 'data-action': 'close' })
          : ''));
    }), 'No statements.'),
    h('h3', {}, 'Open disputes'),
    table(['CDR', 'CPO', 'Reason', 'Raised by', ''], disputes.map((d) => h('tr', { 'data-dispute': d.id }, h('td', {}, d.cdr_id), h('td', {}, d.cpo), h('td', {}, d.reason), h('td', {}, String(d.raised_by)),
      h('td', {}, ...['credited', 'withdrawn', 'rejected'].map((resolution) => button(resolution, () => act({ method: 'POST', path: `/admin/settlement/disputes/${d.id}/resolve`, body: { resolution },
        confirm: `Resolve the dispute of ${d.cdr_id} as ${resolution}?`, confirmLabel: resolution, done: `Dispute of ${d.cdr_id} ${resolution}.` }), { 'data-action': resolution }))))), 'No open disputes.')];
  }

  /**
   * What Edit puts in the box: the body the item's PUT takes. A tariff is written as its description
   * (simple, time_of_use, dynamic); a site is listed with its id and times, which its PUT (the whole
   * site, nothing else) refuses; an own location as it is listed (its PUT takes the OCPI fields back).
   */
  function editable(kind, x) {
    if (kind === 'tariff' && x.description) return x.description;
    if (kind === 'site') {
      const { id, created_at, updated_at, ...body } = x;
      return body;
    }
    return x;
  }

  /** Own locations, tariffs and sites: the JSON the admin API takes, edited and sent as PUT. */
  async function catalogueView() {
    const [locations, tariffs, sites] = await Promise.all([get('/admin/locations'), get('/admin/tariffs'), get('/admin/sites')]);
    const editor = (kind, path, list, label) => [
      h('h3', {}, label),
      table(['Id', ''], (Array.isArray(list) ? list : list.items ?? []).map((x) => h('tr', { [`data-${kind}`]: x.id }, h('td', {}, x.id, ' ', h('small', {}, x.name ?? (x.description?.emsps ? `for ${x.description.emsps.join(', ')}` : ''))),
        h('td', {}, button('Edit', () => {
          const area = $(`#${kind}-form textarea`);
          $(`#${kind}-form input[name=id]`).value = x.id;
          area.value = JSON.stringify(editable(kind, x), null, 2);
        }, { 'data-action': 'edit' }),
        // Own locations are not deleted (their EVSEs are set REMOVED by a PUT, as OCPI has it); tariffs and sites are.
        kind === 'location' ? '' : button('Delete', () => act({ method: 'DELETE', path: `${path}/${encodeURIComponent(x.id)}`, confirm: `Delete ${kind} ${x.id}?`, confirmLabel: 'Delete', done: `Deleted ${kind} ${x.id}.` }), { 'data-action': 'delete', class: 'danger' })))), `No ${label.toLowerCase()}.`),
      form(`${kind}-form`, [['id', 'Id', { required: true }], ['body', 'JSON', { textarea: true, required: true }]], `Save ${kind}`, (v) => {
        let body;
        try {
          body = JSON.parse(v.body);
        } catch (error) {
          report('refused', `Not JSON: ${error.message}`);
          return undefined;
        }
        return act({ method: 'PUT', path: `${path}/${encodeURIComponent(v.id)}`, body, done: `Saved ${kind} ${v.id}.` });
      }),
    ];
    const tariffList = Array.isArray(tariffs) ? tariffs : tariffs.items ?? [];
    const preview = h('div', { id: 'price-preview' });
    const previewForm = form('preview-form', [
      ['tariff', 'Tariff', { options: tariffList.map((t) => t.id) }], ['kwh', 'kWh', { value: '20', size: 5 }], ['minutes', 'Charging minutes', { value: '60', size: 5 }],
      ['parking_minutes', 'Parking minutes', { value: '0', size: 5 }], ['start', 'Start', { placeholder: 'now, or 2025-01-01T18:00:00Z' }],
    ], 'Preview price', async (v) => {
      const query = new URLSearchParams(Object.entries({ kwh: v.kwh, minutes: v.minutes, parking_minutes: v.parking_minutes, start: v.start }).filter(([, x]) => x !== ''));
      try {
        const p = await get(`/admin/tariffs/${encodeURIComponent(v.tariff)}/price-preview?${query}`);
        await learnCurrencies([p.currency]);
        const c = p.computed;
        preview.replaceChildren(h('dl', { class: 'totals' },
          h('dt', {}, 'Total excl. VAT'), h('dd', { 'data-figure': 'preview-excl' }, money(c.total_cost.excl_vat, p.currency)),
          h('dt', {}, 'incl. VAT'), h('dd', { 'data-figure': 'preview-incl' }, money(c.total_cost.incl_vat, p.currency)),
          h('dt', {}, 'Energy'), h('dd', {}, money(c.total_energy_cost.excl_vat, p.currency)), h('dt', {}, 'Time'), h('dd', {}, money(c.total_time_cost.excl_vat, p.currency)),
          h('dt', {}, 'Parking'), h('dd', {}, money(c.total_parking_cost.excl_vat, p.currency)), h('dt', {}, 'Fixed'), h('dd', {}, money(c.total_fixed_cost.excl_vat, p.currency))),
        h('small', {}, `${when(p.start)} – ${when(p.end)} (${p.time_zone})`), ...p.notes.map((n) => h('p', { class: 'empty' }, n.message)));
      } catch (error) {
        preview.replaceChildren(h('p', { class: 'error-text' }, `Refused (${error.status ?? 'no answer'}): ${error.message}`));
      }
    });
    return [...editor('location', '/admin/locations', locations, 'Own locations'), ...editor('tariff', '/admin/tariffs', tariffs, 'Own tariffs'),
      h('h3', {}, 'Price preview (the pricing engine)'), previewForm, preview, ...editor('site', '/admin/sites', sites, 'Sites')];
  }

  // Search: one form per list, the filters its admin route takes; "More" follows next_cursor.
  const SEARCHES = {
    sessions: { filters: ['party', 'location', 'evse', 'token', ['status', ['', 'ACTIVE', 'COMPLETED', 'INVALID', 'PENDING', 'RESERVATION']], 'from', 'to'],
      columns: ['Session', 'Status', 'Location / EVSE', 'Token', 'Start', 'kWh', 'Cost'],
      row: (x) => [h('a', { href: `#/console/story/sessions/${x.country_code}/${x.party_id}/${encodeURIComponent(x.id)}` }, `${x.country_code}/${x.party_id} ${x.id}`), badge(x.status), `${x.location_id ?? '–'} / ${x.evse_uid ?? '–'}`, x.contract_id ?? x.token_uid ?? '–', when(x.start_date_time), x.kwh ?? '–', money(x.total_excl_vat, x.currency)] },
    cdrs: { filters: ['party', 'location', 'evse', 'token', ['status', ['', 'match', 'mismatch', 'unrated']], 'from', 'to'],
      columns: ['CDR', 'Rating', 'Location / EVSE', 'Token', 'Start', 'kWh', 'Cost'],
      row: (x) => [h('a', { href: `#/console/story/cdrs/${x.country_code}/${x.party_id}/${encodeURIComponent(x.id)}` }, `${x.country_code}/${x.party_id} ${x.id}`), badge(x.status), `${x.location_id ?? '–'} / ${x.evse_uid ?? '–'}`, x.contract_id ?? x.token_uid ?? '–', when(x.start_date_time), x.kwh ?? '–', money(x.total_excl_vat, x.currency)] },
    tokens: { filters: ['party', 'token', ['status', ['', 'valid', 'invalid']], 'type'], columns: ['eMSP', 'Uid', 'Type', 'Contract id', 'Valid', 'Updated'],
      row: (x) => [`${x.country_code}/${x.party_id}`, x.uid, x.type, x.contract_id ?? '–', x.valid ? 'yes' : 'no', when(x.last_updated)] },
    locations: { filters: ['party', 'location', 'evse', ['status', ['', 'AVAILABLE', 'CHARGING', 'OUTOFORDER', 'INOPERATIVE', 'BLOCKED', 'RESERVED', 'UNKNOWN']]], columns: ['CPO', 'Location', 'Name', 'EVSEs', 'Statuses'],
      row: (x) => [`${x.country_code}/${x.party_id}`, x.id, x.name ?? '–', String(x.evse_count), Object.entries(x.evse_statuses ?? {}).map(([k, n]) => `${k} ${n}`).join(', ')] },
    deliveries: { filters: [['status', ['', 'pending', 'failed', 'delivered', 'skipped']], 'module', 'object', 'from', 'to'], columns: ['Id', 'Partner', 'Call', 'Status', 'Attempts', 'Last error', 'Created', ''],
      row: (x) => [x.id, x.partner, `${x.method} ${x.target}`, badge(x.status), String(x.attempts), x.last_error ?? '', when(x.created_at), h('span', {},
        x.status === 'failed' ? button('Retry', () => act({ method: 'POST', path: `/admin/outbox/${x.id}/retry`, done: `Delivery ${x.id} is queued again.` }), { 'data-action': 'retry' }) : '',
        x.status === 'failed' || x.status === 'pending' ? button('Skip', () => act({ method: 'POST', path: `/admin/outbox/${x.id}/skip`, confirm: `Skip delivery ${x.id} (${x.method} ${x.target})? The partner never gets it.`, confirmLabel: 'Skip', done: `Delivery ${x.id} skipped.` }), { 'data-action': 'skip', class: 'danger' }) : '')] },
    events: { filters: ['charger', 'action', 'from', 'to'], columns: ['Id', 'Charger', 'Action', 'Payload', 'Received'],
      row: (x) => [x.id, x.charger_id, x.action, h('code', {}, JSON.stringify(x.payload).slice(0, 160)), when(x.received_at)] },
  };

  /** The filters of the current search, kept in the hash so a search is a link (#/console/search/cdrs?token=…). */
  function searchParams() {
    const q = location.hash.split('?')[1] ?? '';
    return new URLSearchParams(q);
  }

  async function searchView(list) {
    const spec = SEARCHES[list];
    const params = searchParams();
    const filters = form('search-form', spec.filters.map((f) => {
      const [name, options] = Array.isArray(f) ? f : [f];
      const attrs = options ? { options } : { value: params.get(name) ?? '', placeholder: name === 'party' ? 'NL/CPO' : name === 'from' || name === 'to' ? '2025-01-01T00:00:00Z' : '' };
      return [name, name, attrs];
    }), 'Search', (v) => {
      const next = new URLSearchParams(Object.entries(v).filter(([, value]) => value !== ''));
      location.hash = `#/console/search/${list}${next.size ? `?${next}` : ''}`;
    });
    for (const f of spec.filters) if (Array.isArray(f)) filters.querySelector(`select[name=${f[0]}]`).value = params.get(f[0]) ?? '';
    const tbody = h('tbody');
    const more = button('More', () => void load(), { id: 'search-more', hidden: true });
    let cursor = null;
    const load = async () => {
      const query = new URLSearchParams(params);
      query.set('limit', '25');
      if (cursor) query.set('cursor', cursor);
      const pageOf = await get(`/admin/search/${list}?${query}`);
      await learnCurrencies(pageOf.items.map((x) => x.currency));
      if (!cursor && !pageOf.items.length) tbody.replaceChildren(h('tr', { class: 'empty' }, h('td', { colspan: spec.columns.length }, 'Nothing matches.')));
      tbody.append(...pageOf.items.map((x) => h('tr', { 'data-row': x.id ?? x.uid }, ...spec.row(x).map((c) => h('td', {}, c)))));
      cursor = pageOf.next_cursor;
      more.hidden = !cursor;
    };
    await load();
    return [h('nav', { class: 'console-subnav' }, ...Object.keys(SEARCHES).map((name) => h('a', { href: `#/console/search/${name}`, class: name === list ? 'current' : '' }, name))),
      filters, h('table', { id: 'search-results' }, h('thead', {}, h('tr', {}, ...spec.columns.map((c) => h('th', {}, c)))), tbody), more];
  }

  async function storyView(module, cc, pid, id) {
    const story = await get(`/admin/search/${module}/${cc}/${pid}/${id}/story`);
    const o = story.object;
    await learnCurrencies([o.currency]);
    const parts = [h('h3', { id: 'story-title' }, `${module === 'sessions' ? 'Session' : 'CDR'} ${cc}/${pid} ${decodeURIComponent(id)}`),
      h('dl', { class: 'totals' }, h('dt', {}, 'Status'), h('dd', {}, o.status ?? story.rating?.status ?? '–'), h('dt', {}, 'Start'), h('dd', {}, when(o.start_date_time)),
        h('dt', {}, 'End'), h('dd', {}, when(o.end_date_time)), h('dt', {}, 'kWh'), h('dd', {}, String(o.kwh ?? o.total_energy ?? '–')),
        h('dt', {}, 'Cost'), h('dd', { 'data-figure': 'story-cost' }, money(o.total_cost?.excl_vat ?? o.total_cost, o.currency)))];
    if (story.cdr_id) parts.push(h('p', {}, 'CDR: ', h('a', { href: `#/console/story/cdrs/${cc}/${pid}/${encodeURIComponent(story.cdr_id)}` }, story.cdr_id)));
    if (module === 'cdrs' && o.session_id) parts.push(h('p', {}, 'Session: ', h('a', { href: `#/console/story/sessions/${cc}/${pid}/${encodeURIComponent(o.session_id)}` }, o.session_id)));
    parts.push(h('h3', {}, 'OCPP'), story.ocpp_transaction
      ? h('div', { id: 'story-ocpp' }, h('p', {}, `Charger ${story.ocpp_transaction.charger_id}, transaction ${story.ocpp_transaction.transaction_id}, ${story.ocpp_transaction.status}`),
        table(['At', 'Message', 'Kept as', 'Payload'], story.ocpp_messages.map((m) => h('tr', {}, h('td', {}, when(m.received_at)), h('td', {}, m.action), h('td', {}, m.source), h('td', {}, h('code', {}, JSON.stringify(m.payload).slice(0, 200))))), 'Nothing kept.'),
        h('p', {}, `${story.meter_values.length} meter values`))
      : h('p', { id: 'story-ocpp', class: 'empty' }, 'Not an own charger: another CPO\'s session.'));
    parts.push(h('h3', {}, 'OCPI pushes'), h('div', { id: 'story-pushes' }, table(['Partner', 'Call', 'Status', 'Attempts', 'Answers', 'Last error'], story.pushes.map((p) => h('tr', {}, h('td', {}, p.partner), h('td', {}, `${p.method} ${p.target}`), h('td', {}, badge(p.status)), h('td', {}, String(p.attempts)),
      h('td', {}, (p.answers ?? []).map((a) => `${a.failed ? '✗' : '✓'} HTTP ${a.http_status ?? '–'} / OCPI ${a.ocpi_status ?? '–'} ${a.error ?? ''}`).join('; ') || '–'), h('td', {}, p.last_error ?? ''))), 'Not pushed to anyone (received from its CPO, delivered to its eMSP when pulled).')));
    if (module === 'cdrs') {
      parts.push(h('h3', {}, 'Rating'), story.rating ? h('div', { id: 'story-rating' }, badge(story.rating.status), ' ', story.rating.reason ?? '', story.rating.differences?.length ? json(story.rating.differences) : '') : h('p', { id: 'story-rating', class: 'empty' }, 'Not rated.'));
      parts.push(h('h3', {}, 'Statement'), h('div', { id: 'story-statement' }, table(['Period', 'eMSP', 'Status', 'Version', 'Flags'], story.statement_lines.map((l) => h('tr', {}, h('td', {}, h('a', { href: `#/statements/${l.statement_id}` }, l.period_label)), h('td', {}, l.emsp), h('td', {}, badge(l.status)), h('td', {}, String(l.version)), h('td', {}, [l.flagged ? 'flagged' : '', l.disputed ? 'disputed' : ''].filter(Boolean).join(', ')))), 'On no statement yet.')));
    }
    return parts;
  }

  /** The top-level fields before and after share whose values differ: `suspended_at: null → 2025-…`. */
  function changes(before, after) {
    if (!before || !after || typeof before !== 'object' || typeof after !== 'object') return '';
    const text = (v) => (v === null || v === undefined ? 'null' : typeof v === 'object' ? '{…}' : String(v));
    // The stored row's times are PostgreSQL's (microseconds, +00:00), the answer's JavaScript's: the same instant is no change.
    const instant = (v) => (typeof v === 'string' && /^\d{4}-\d\d-\d\dT/.test(v) ? Date.parse(v) : NaN);
    const same = (a, b) => JSON.stringify(a) === JSON.stringify(b) || (!Number.isNaN(instant(a)) && instant(a) === instant(b));
    return Object.keys(after).filter((k) => k in before && !same(before[k], after[k])).map((k) => `${k}: ${text(before[k])} → ${text(after[k])}`).join('; ');
  }

  async function auditView() {
    const params = searchParams();
    const filters = form('audit-form', [['action', 'action', { value: params.get('action') ?? '', placeholder: 'parties' }], ['target', 'target', { value: params.get('target') ?? '' }], ['outcome', 'outcome', { options: ['', 'ok', 'refused', 'failed'] }], ['client', 'client', { options: ['', 'console', 'cli'] }]], 'Filter', (v) => {
      const next = new URLSearchParams(Object.entries(v).filter(([, value]) => value !== ''));
      location.hash = `#/console/audit${next.size ? `?${next}` : ''}`;
    });
    filters.querySelector('select[name=outcome]').value = params.get('outcome') ?? '';
    filters.querySelector('select[name=client]').value = params.get('client') ?? '';
    const tbody = h('tbody');
    const more = button('More', () => void load(), { id: 'audit-more', hidden: true });
    let cursor = null;
    const load = async () => {
      const query = new URLSearchParams(params);
      query.set('limit', '25');
      if (cursor) query.set('cursor', cursor);
      const pageOf = await get(`/admin/audit?${query}`);
      tbody.append(...pageOf.items.map((x) => h('tr', { 'data-audit': x.id, class: x.outcome },
        h('td', {}, when(x.at)), h('td', {}, x.actor, ' ', h('small', {}, x.client ?? '')), h('td', {}, x.action), h('td', {}, x.target ?? ''), h('td', {}, badge(x.outcome), ' ', String(x.http_status)), h('td', { class: 'error-text' }, x.error ?? ''), h('td', { 'data-col': 'changed' }, changes(x.before, x.after)),
        h('td', {}, h('details', {}, h('summary', {}, 'before / after'), h('div', { class: 'console-diff' }, h('div', {}, h('small', {}, 'before'), json(x.before)), h('div', {}, h('small', {}, 'after'), json(x.after)), h('div', {}, h('small', {}, 'request'), json(x.request_body))))))));
      cursor = pageOf.next_cursor;
      more.hidden = !cursor;
    };
    await load();
    return [filters, h('table', { id: 'audit-log' }, h('thead', {}, h('tr', {}, ...['When', 'Who', 'What', 'Target', 'Outcome', 'Error', 'Changed', ''].map((c) => h('th', {}, c)))), tbody), more];
  }

  // ── the shell ──────────────────────────────────────────────────────────────────────────────────

  const TABS = { partners: 'Partners', agreements: 'Agreements', outbox: 'Outbox', catalogue: 'Own catalogue', statements: 'Statements', search: 'Search', audit: 'Audit log' };

  async function viewFor(path) {
    const [tab, ...rest] = path;
    if (tab === 'agreements') return agreementsView();
    if (tab === 'statements') return statementsView();
    if (tab === 'catalogue') return catalogueView();
    if (tab === 'audit') return auditView();
    if (tab === 'outbox') return searchView('deliveries');
    if (tab === 'search') return searchView(SEARCHES[rest[0]] ? rest[0] : 'sessions');
    if (tab === 'story' && (rest[0] === 'sessions' || rest[0] === 'cdrs') && rest.length >= 4) return storyView(rest[0], rest[1], rest[2], rest.slice(3).join('/'));
    return partnersView();
  }

  /** Draws the view the hash names; `fresh` clears the last action's report (a new view, not a redraw). */
  let generation = 0;
  async function draw(fresh = true) {
    const mine = ++generation;
    const root = $('#console');
    if (!root || root.hidden || !location.hash.startsWith('#/console')) return;
    const path = location.hash.split('?')[0].replace(/^#\/console\/?/, '').split('/').filter(Boolean);
    const tab = path[0] === 'story' ? 'search' : path[0] ?? 'partners';
    const body = $('#console-body');
    if (fresh) $('#console-result').hidden = true;
    $('#console-tabs').replaceChildren(...Object.entries(TABS).map(([name, label]) => h('a', { href: `#/console/${name}`, class: name === tab ? 'current' : '', 'data-tab': name }, label)));
    try {
      const view = await viewFor(path);
      // A later draw (another click, a hash change) wins over this one.
      if (mine !== generation) return;
      body.replaceChildren(...view);
      document.body.dataset.console = String(Date.now());
    } catch (error) {
      if (mine !== generation) return;
      body.replaceChildren(h('p', { class: 'error', role: 'alert' }, `Could not load: ${error.message}`));
    }
  }

  document.addEventListener('DOMContentLoaded', () => {
    window.addEventListener('hashchange', () => setTimeout(() => void draw(), 0));
    // dashboard.js shows #console once the key is known; draw when it does.
    $('#refresh').addEventListener('click', () => void draw(false));
    new MutationObserver(() => void draw()).observe($('#console'), { attributes: true, attributeFilter: ['hidden'] });
    void draw();
  });
})();
