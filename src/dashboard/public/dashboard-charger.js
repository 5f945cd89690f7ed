// The dashboard's charger pages (docs/dashboard.md, "Chargers"): #/chargers lists the hub's own
// charge points, #/chargers/<id> shows one — live state (GET /admin/chargers/{id}/live), the
// operator's controls for its OCPP version (POST …/shortcuts/{name}, …/actions/{action}, PUT
// …/firmware), their log (…/actions), its notifications (…/events), uploaded files (…/files) and
// its device model (…/device-model). Its own file beside dashboard.js, which shows main#charger for
// these routes and marks body[data-loaded]; this file draws it. Every call says X-Requested-By:
// dashboard, so the action log names the page. Text from chargers reaches the page as textContent only.
'use strict';

(() => {
  const { KEY_ITEM, $, h, api, authorization, ago } = window.HubDom;
  const REFRESH_MS = 5_000;
  const EVENTS_PAGE = 20;
  const LOG_PAGE = 25;


  const headers = (extra = {}) => ({ Authorization: authorization(), Accept: 'application/json', ...extra });


  /** A call to the charger: the answer's HTTP status and body, whatever they are (the page shows refusals too). */
  async function send(method, path, body, contentType = 'application/json') {
    const response = await fetch(path, {
      method,
      headers: headers({ 'Content-Type': contentType, 'X-Requested-By': 'dashboard' }),
      body: contentType === 'application/json' ? JSON.stringify(body) : body,
    });
    return { http: response.status, body: await response.json().catch(() => ({})) };
  }

  const when = (value) => (value ? new Date(value).toLocaleString('en-GB', { dateStyle: 'short', timeStyle: 'medium' }) : '–');

  const badge = (text, kind = String(text).toLowerCase()) => h('span', { class: `badge ${kind}` }, text);
  const json = (value) => (value === null || value === undefined ? '' : JSON.stringify(value));
  const is16 = (protocol) => protocol === 'ocpp1.6';

  // Messages a charger may be asked to send (TriggerMessage's requestedMessage, from the versions' schemas).
  const TRIGGERS = {
    'ocpp1.6': ['BootNotification', 'DiagnosticsStatusNotification', 'FirmwareStatusNotification', 'Heartbeat', 'MeterValues', 'StatusNotification'],
    'ocpp2.0.1': ['BootNotification', 'LogStatusNotification', 'FirmwareStatusNotification', 'Heartbeat', 'MeterValues', 'SignChargingStationCertificate',
      'SignV2GCertificate', 'StatusNotification', 'TransactionEvent', 'SignCombinedCertificate', 'PublishFirmwareStatusNotification'],
  };
  // A starting point for the profile editor, in each version's own shape (the schema check has the last word).
  const SAMPLE_PROFILE = {
    'ocpp1.6': { chargingProfileId: 100, stackLevel: 2, chargingProfilePurpose: 'TxDefaultProfile', chargingProfileKind: 'Relative',
      chargingSchedule: { chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 16 }] } },
    'ocpp2.0.1': { id: 100, stackLevel: 2, chargingProfilePurpose: 'TxDefaultProfile', chargingProfileKind: 'Relative',
      chargingSchedule: [{ id: 1, chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 16 }] }] },
  };
  const family = (protocol) => (is16(protocol) ? 'ocpp1.6' : 'ocpp2.0.1');

  let chargerId = null;
  let live = null;
  let eventsLimit = EVENTS_PAGE;
  let logBefore = [];
  let timer;
  let busy = false;

  // ── confirmation and results ───────────────────────────────────────────────────────────────────

  /** Asks before a destructive action (an in-page dialog: the page's CSP allows no inline code, and a native confirm() cannot be styled or read). */
  function confirmed(question) {
    const dialog = $('#charger-confirm');
    $('#charger-confirm-text').textContent = question;
    dialog.returnValue = ''; // Escape closes it without a button: not a yes
    dialog.showModal();
    return new Promise((resolve) => dialog.addEventListener('close', () => resolve(dialog.returnValue === 'yes'), { once: true }));
  }

  const OUTCOME = { accepted: 'accepted', rejected: 'rejected', error: 'CALLERROR', timeout: 'timeout' };

  /** What a call came to: sent and answered (accepted / rejected), a CALLERROR, gone, timed out — or refused before sending. */
  function showResult(label, { http, body }) {
    const pane = $('#charger-result');
    const sent = body && typeof body.status === 'string' && body.action;
    let outcome;
    let detail;
    if (sent) {
      outcome = body.status === 'error' && body.error?.code === 'Unreachable' ? 'unreachable' : OUTCOME[body.status] ?? body.status;
      detail = body.error ? `${body.error.code}: ${body.error.message}` : `answer ${json(body.answer)}`;
    } else {
      outcome = 'not sent';
      detail = body?.error?.message ?? `HTTP ${http}`;
    }
    pane.replaceChildren(
      h('strong', {}, label), ' ', badge(outcome, `outcome-${outcome.replace(/ /g, '-').toLowerCase()}`), ' ',
      h('span', { 'data-result': 'http' }, `HTTP ${http}`), sent ? ` · ${body.action} in ${body.duration_ms} ms · ` : ' · ',
      h('span', { class: 'result-detail', 'data-result': 'detail' }, detail),
      ...(body?.file?.id && body.file.kind !== 'firmware' ? [h('span', {}, ' · the file appears under Files once the charger uploads it')] : []),
    );
    pane.dataset.outcome = outcome;
    // Counts the results shown, so a reader can tell this one from the last.
    pane.dataset.seq = String(Number(pane.dataset.seq ?? 0) + 1);
    pane.hidden = false;
  }

  /** Sends one call, shows what it came to and reloads the page's state (the log first of all). */
  async function run(label, call, question) {
    if (question && !(await confirmed(question))) return;
    const pane = $('#charger-result');
    pane.hidden = false;
    pane.dataset.outcome = 'pending';
    pane.replaceChildren(h('strong', {}, label), ' sending…');
    busy = true;
    try {
      showResult(label, await call());
    } catch (error) {
      showResult(label, { http: 0, body: { error: { message: error.message } } });
    } finally {
      busy = false;
      logBefore = [];
      await load();
    }
  }

  const timeoutSeconds = () => {
    const value = Number($('#charger-timeout').value);
    return Number.isInteger(value) && value >= 1 ? value : undefined;
  };
  const base = () => `/admin/chargers/${encodeURIComponent(chargerId)}`;
  const shortcut = (name, body = {}) => send('POST', `${base()}/shortcuts/${name}`, { ...body, ...(timeoutSeconds() && { timeout_seconds: timeoutSeconds() }) });
  const action = (name, params) => send('POST', `${base()}/actions/${encodeURIComponent(name)}`, { params, ...(timeoutSeconds() && { timeout_seconds: timeoutSeconds() }) });

  // ── the sections ───────────────────────────────────────────────────────────────────────────────

  function renderState(state) {
    const c = state.charger;
    $('#charger-title').textContent = `Charger ${c.id}`;
    const facts = [
      ['Connection', badge(c.connection.connected ? 'connected' : 'offline'), 'connection'],
      ['Protocol', c.protocol ?? '–', 'protocol'],
      ['Registration', c.status, 'registration'],
      ['Last heartbeat', `${ago(c.connection.last_heartbeat_at)} (${when(c.connection.last_heartbeat_at)})`, 'heartbeat'],
      ['Connected since', when(c.connection.last_connected_at), 'since'],
      ['Location', c.location_id ?? '–', 'location'],
      ['Boot', c.boot ? `${c.boot.vendor} ${c.boot.model}${c.boot.serial_number ? ` · s/n ${c.boot.serial_number}` : ''}${c.boot.firmware_version ? ` · firmware ${c.boot.firmware_version}` : ''}` : 'no BootNotification yet', 'boot'],
    ];
    $('#charger-facts').replaceChildren(...facts.flatMap(([label, value, name]) => [h('dt', {}, label), h('dd', { 'data-fact': name }, value)]));
    const connected = c.connection.connected;
    $('#charger-connectors tbody').replaceChildren(
      ...(state.connectors.length
        ? state.connectors.map((x) =>
            h('tr', { 'data-connector': x.ocpp_connector },
              h('td', {}, x.ocpp_connector === '0' ? '0 (charger)' : x.ocpp_connector),
              h('td', { 'data-col': 'ocpp' }, x.ocpp_status ? badge(x.ocpp_status) : '–', x.error_code && x.error_code !== 'NoError' ? h('small', { class: 'error-text' }, ` ${x.error_code}`) : null),
              h('td', {}, x.evse_uid ? `${x.evse_uid} / ${x.connector_id}` : 'not mapped'),
              h('td', { 'data-col': 'ocpi' }, x.ocpi_status ? badge(x.ocpi_status) : '–'),
              h('td', { 'data-col': 'session' }, x.session_id ?? ''),
              h('td', {}, when(x.updated_at)),
              h('td', { class: 'connector-actions' },
                h('button', { type: 'button', disabled: !connected, 'data-do': 'operative', onclick: () => void availability(x.ocpp_connector, true) }, 'Operative'),
                h('button', { type: 'button', disabled: !connected, 'data-do': 'inoperative', onclick: () => void availability(x.ocpp_connector, false) }, 'Inoperative'),
                x.ocpp_connector !== '0' ? h('button', { type: 'button', disabled: !connected, 'data-do': 'unlock', onclick: () => void unlock(x.ocpp_connector) }, 'Unlock') : null),
            ))
        : [h('tr', { class: 'empty' }, h('td', { colspan: 7 }, 'No connector reported or mapped yet.'))]),
    );
    $('#charger-transactions tbody').replaceChildren(
      ...(state.transactions.length
        ? state.transactions.map((t) =>
            h('tr', { 'data-session': t.session_id },
              h('td', {}, t.session_id), h('td', {}, t.transaction_id), h('td', {}, t.ocpp_connector), h('td', {}, t.id_token),
              h('td', {}, when(t.started_at)), h('td', { class: 'num' }, t.last_energy_wh === null ? '–' : `${((t.last_energy_wh - (t.meter_start_wh ?? 0)) / 1000).toFixed(2)} kWh`),
              h('td', { class: 'num' }, t.last_power_w === null ? '–' : `${(t.last_power_w / 1000).toFixed(1)} kW`)))
        : [h('tr', { class: 'empty' }, h('td', { colspan: 7 }, 'No transaction running.'))]),
    );
    $('#charger-offline').hidden = connected;
  }

  function availability(connector, operative) {
    const where = connector === '0' ? 'the whole charger' : `connector ${connector}`;
    return run(`availability ${operative ? 'operative' : 'inoperative'} (${where})`, () => shortcut('availability', { connector, operative }),
      operative ? undefined : `Make ${where} inoperative? Drivers cannot charge there until it is made operative again.`);
  }
  const unlock = (connector) => run(`unlock ${connector}`, () => shortcut('unlock', { connector }), `Unlock connector ${connector}? A cable in it is released.`);

  /** The controls valid for the charger's version (1.6 configuration keys; 2.0.1/2.1 variables and display messages). */
  function renderControls(protocol) {
    const box = $('#charger-controls');
    if (box.dataset.protocol === String(protocol)) return; // drawn for this version: keep what the operator typed
    box.dataset.protocol = String(protocol);
    const f = family(protocol);
    const field = (label, input) => h('label', {}, `${label} `, input);
    const form = (name, title, children, onsubmit) =>
      h('form', { class: 'control', 'data-control': name, onsubmit: (event) => { event.preventDefault(); onsubmit(event.target); } }, h('h4', {}, title), ...children);
    const value = (formEl, name) => formEl.elements[name].value.trim();
    // (replaceChildren would show a null as the text "null")
    box.replaceChildren(...[
      form('reset', 'Reset', [
        h('button', { type: 'submit', name: 'soft', value: 'soft', 'data-do': 'reset-soft' }, 'Soft reset'), ' ',
        h('button', { type: 'button', 'data-do': 'reset-hard', onclick: () => void run('reset hard', () => shortcut('reset', { type: 'hard' }), 'Hard reset (reboot) the charger? Running transactions stop.') }, 'Hard reset'),
      ], () => void run('reset soft', () => shortcut('reset', { type: 'soft' }), 'Soft reset the charger? It stops its transactions and restarts its software.')),
      form('availability', 'Availability (whole charger)', [
        h('button', { type: 'submit', 'data-do': 'charger-operative' }, 'Operative'), ' ',
        h('button', { type: 'button', 'data-do': 'charger-inoperative', onclick: () => void availability('0', false) }, 'Inoperative'),
      ], () => void availability('0', true)),
      form('trigger', 'Trigger a message', [
        field('message', h('select', { name: 'message' }, TRIGGERS[f].map((m) => h('option', {}, m)))),
        field('connector', h('input', { name: 'connector', size: 4, placeholder: 'all' })),
        h('button', { type: 'submit' }, 'Trigger'),
      ], (el) => void run(`trigger ${value(el, 'message')}`, () => shortcut('trigger', { message: value(el, 'message'), ...(value(el, 'connector') && { connector: value(el, 'connector') }) }))),
      form('clear-cache', 'Authorization cache', [h('button', { type: 'submit', 'data-do': 'clear-cache' }, 'Clear cache')],
        () => void run('clear cache', () => shortcut('clear-cache'), 'Clear the charger\'s authorization cache? Drivers are authorized online again.')),
      form('firmware', 'Update firmware', [
        h('input', { type: 'file', name: 'file', required: true }),
        field('retrieve at', h('input', { name: 'retrieve_at', type: 'datetime-local' })),
        h('button', { type: 'submit' }, 'Upload and update'),
      ], (el) => {
        const file = el.elements.file.files[0];
        if (!file) return;
        const query = new URLSearchParams({ name: file.name.replace(/[^A-Za-z0-9._+-]/g, '_').slice(0, 100) || 'firmware.bin' });
        if (value(el, 'retrieve_at')) query.set('retrieve_at', new Date(value(el, 'retrieve_at')).toISOString());
        if (timeoutSeconds()) query.set('timeout_seconds', String(timeoutSeconds()));
        void run(`update firmware ${file.name}`, () => send('PUT', `${base()}/firmware?${query}`, file, 'application/octet-stream'),
          `Send firmware ${file.name} (${file.size} bytes) to the charger? It installs it and restarts.`);
      }),
      form('diagnostics', 'Diagnostics and logs', [
        field('log', h('select', { name: 'log' }, h('option', { value: 'diagnostics' }, 'diagnostics'), h('option', { value: 'security' }, 'security log'))),
        h('button', { type: 'submit' }, 'Ask for upload'),
      ], (el) => void run(`get ${value(el, 'log')}`, () => shortcut('get-diagnostics', { log: value(el, 'log') }))),
      form('set-profile', 'Set charging profile', [
        field('connector', h('input', { name: 'connector', size: 4, value: '0' })),
        h('textarea', { name: 'profile', rows: 7, spellcheck: 'false', value: JSON.stringify(SAMPLE_PROFILE[f], null, 2) }),
        h('button', { type: 'submit' }, 'Set profile'),
      ], (el) => {
        const profile = parsedJson(el, 'profile');
        if (profile) void run('set charging profile', () => shortcut('set-charging-profile', { connector: value(el, 'connector') || '0', profile }));
      }),
      form('clear-profile', 'Clear charging profile', [
        field('id', h('input', { name: 'id', size: 6 })),
        field('purpose', h('input', { name: 'purpose', size: 16, placeholder: 'TxDefaultProfile' })),
        field('stack level', h('input', { name: 'stack_level', size: 3 })),
        h('button', { type: 'submit' }, 'Clear'),
      ], (el) => {
        const body = {};
        if (value(el, 'id')) body.id = Number(value(el, 'id'));
        if (value(el, 'purpose')) body.purpose = value(el, 'purpose');
        if (value(el, 'stack_level')) body.stack_level = Number(value(el, 'stack_level'));
        void run('clear charging profile', () => shortcut('clear-charging-profile', body));
      }),
      form('composite', 'Composite schedule', [
        field('connector', h('input', { name: 'connector', size: 4, value: '1' })),
        field('seconds', h('input', { name: 'duration', size: 6, value: '3600' })),
        field('unit', h('select', { name: 'unit' }, h('option', { value: '' }, 'any'), h('option', {}, 'A'), h('option', {}, 'W'))),
        h('button', { type: 'submit' }, 'Get'),
      ], (el) => void run('composite schedule', () => shortcut('composite-schedule', { connector: value(el, 'connector') || '0', duration: Number(value(el, 'duration')), ...(value(el, 'unit') && { unit: value(el, 'unit') }) }))),
      is16(protocol)
        ? null
        : form('display', 'Display message', [
            h('input', { name: 'message', size: 30, required: true, placeholder: 'text for the charger\'s screen' }),
            field('priority', h('select', { name: 'priority' }, ['NormalCycle', 'InFront', 'AlwaysFront'].map((p) => h('option', {}, p)))),
            h('button', { type: 'submit' }, 'Show'),
          ], (el) => void run('display message', () => shortcut('display-message', { message: value(el, 'message'), priority: value(el, 'priority') }))),
      form('generic', 'Any action', [
        field('action', h('input', { name: 'action', list: 'charger-action-names', size: 24, required: true, placeholder: 'e.g. GetConfiguration' })),
        h('datalist', { id: 'charger-action-names' }),
        h('textarea', { name: 'params', rows: 4, spellcheck: 'false', value: '{}' }),
        h('button', { type: 'submit' }, 'Send'),
      ], (el) => {
        const params = parsedJson(el, 'params');
        if (params) void run(value(el, 'action'), () => action(value(el, 'action'), params));
      }),
    ].filter(Boolean));
  }

  /** The JSON of a textarea, or null with the parser's message shown (nothing is sent). */
  function parsedJson(formEl, name) {
    let parsed;
    try {
      parsed = JSON.parse(formEl.elements[name].value);
    } catch (error) {
      showResult(formEl.dataset.control, { http: 0, body: { error: { message: `${name} is not JSON: ${error.message}` } } });
      return null;
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      showResult(formEl.dataset.control, { http: 0, body: { error: { message: `${name} must be a JSON object` } } });
      return null;
    }
    return parsed;
  }

  function renderLog(actions) {
    $('#charger-log tbody').replaceChildren(
      ...(actions.length
        ? actions.map((a) =>
            h('tr', { 'data-action-id': a.id, class: `outcome-${a.status}` },
              h('td', {}, when(a.requested_at)), h('td', { 'data-col': 'by' }, a.requested_by), h('td', { 'data-col': 'action' }, a.action),
              h('td', { class: 'json' }, json(a.params)),
              h('td', { class: 'json', 'data-col': 'answer' }, a.error ? `${a.error.code}: ${a.error.message}` : json(a.answer)),
              h('td', { 'data-col': 'status' }, badge(OUTCOME[a.status] ?? a.status, `outcome-${(OUTCOME[a.status] ?? a.status).toLowerCase()}`)),
              h('td', { class: 'num' }, `${a.duration_ms} ms`)))
        : [h('tr', { class: 'empty' }, h('td', { colspan: 7 }, 'Nothing sent to this charger yet.'))]),
    );
    $('#charger-log-newer').disabled = logBefore.length === 0;
    $('#charger-log-older').disabled = actions.length < LOG_PAGE;
    $('#charger-log-older').dataset.before = actions.length ? actions[actions.length - 1].id : '';
  }

  function renderEvents(events) {
    $('#charger-events tbody').replaceChildren(
      ...(events.length
        ? events.map((e) => h('tr', { 'data-event': e.id }, h('td', {}, when(e.received_at)), h('td', {}, e.action), h('td', { class: 'json' }, json(e.payload))))
        : [h('tr', { class: 'empty' }, h('td', { colspan: 3 }, 'No notifications from this charger yet.'))]),
    );
    $('#charger-events-more').hidden = events.length < eventsLimit || eventsLimit >= 1000;
  }

  async function download(file) {
    const response = await fetch(`${base()}/files/${encodeURIComponent(file.id)}`, { headers: headers({ Accept: '*/*' }) });
    if (!response.ok) return;
    const url = URL.createObjectURL(await response.blob());
    const link = h('a', { href: url, download: file.file_name ?? `${file.kind}-${file.id}` });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }

  function renderFiles(files) {
    $('#charger-files tbody').replaceChildren(
      ...(files.length
        ? files.map((f) =>
            h('tr', { 'data-file': f.id },
              h('td', {}, f.kind), h('td', {}, f.file_name ?? '–'), h('td', { class: 'num' }, f.size_bytes === null ? '–' : `${f.size_bytes} B`),
              h('td', {}, when(f.created_at)), h('td', {}, f.uploaded_at ? when(f.uploaded_at) : (f.kind === 'firmware' ? `${f.downloads} downloads` : 'waiting for the charger')),
              h('td', {}, f.size_bytes !== null ? h('button', { type: 'button', class: 'link', 'data-do': 'download', onclick: () => void download(f) }, 'Download') : '')))
        : [h('tr', { class: 'empty' }, h('td', { colspan: 6 }, 'No files.'))]),
    );
  }

  const componentLabel = (c) => `${c.name}${c.instance ? `[${c.instance}]` : ''}${c.evse ? ` (EVSE ${c.evse.id}${c.evse.connectorId !== undefined ? `/${c.evse.connectorId}` : ''})` : ''}`;
  const writable = (v) => v.mutability === 'ReadWrite' || v.mutability === 'WriteOnly';

  /** A writable value changed: 1.6 change-configuration; 2.0.1/2.1 set-variables (the generic SetVariables when the component has an instance or EVSE, which the shortcut does not name). */
  function saveVariable(v, newValue) {
    const label = `set ${v.component.name === 'OCPP16' ? '' : `${componentLabel(v.component)}.`}${v.variable.name} = ${newValue}`;
    if (is16(live.charger.protocol)) return run(label, () => shortcut('change-configuration', { key: v.variable.name, value: newValue }));
    const plain = !v.component.instance && !v.component.evse && !v.variable.instance;
    if (plain) return run(label, () => shortcut('set-variables', { variables: [{ component: v.component.name, variable: v.variable.name, value: newValue, ...(v.attribute_type !== 'Actual' && { attribute: v.attribute_type }) }] }));
    return run(label, () => action('SetVariables', { setVariableData: [{ attributeValue: newValue, attributeType: v.attribute_type, component: v.component, variable: v.variable }] }));
  }

  function renderDeviceModel(model) {
    const rows = model.variables.map((v) => {
      const key = `${componentLabel(v.component)}.${v.variable.name}${v.variable.instance ? `[${v.variable.instance}]` : ''}/${v.attribute_type}`;
      const valueCell = h('td', { 'data-col': 'value' }, v.value ?? '–');
      const edit = writable(v) && live.charger.connection.connected
        ? h('button', { type: 'button', class: 'link', 'data-do': 'edit', onclick: () => {
            const input = h('input', { value: v.value ?? '', size: 16, 'aria-label': `new value of ${v.variable.name}` });
            const form = h('form', { class: 'inline-edit', onsubmit: (event) => {
              event.preventDefault();
              const newValue = input.value;
              valueCell.replaceChildren(`${newValue} …`); // the edit is over: the next load redraws the table
              void saveVariable(v, newValue);
            } },
              input, h('button', { type: 'submit', 'data-do': 'save' }, 'Save'), h('button', { type: 'button', onclick: () => void load() }, 'Cancel'));
            valueCell.replaceChildren(form);
            input.focus();
          } }, 'Edit')
        : null;
      return h('tr', { 'data-variable': key },
        h('td', {}, componentLabel(v.component)), h('td', {}, v.variable.name, v.variable.instance ? ` [${v.variable.instance}]` : ''), h('td', {}, v.attribute_type),
        valueCell, h('td', { 'data-col': 'mutability' }, v.mutability ?? '–'),
        h('td', {}, v.reported_by ? `${v.reported_by} ${when(v.reported_at)}` : '–'),
        h('td', { 'data-col': 'set' }, v.set ? [`${v.set.value} → `, badge(v.set.status), ` ${when(v.set.at)}`] : ''),
        h('td', {}, edit));
    });
    $('#charger-variables tbody').replaceChildren(...(rows.length ? rows : [h('tr', { class: 'empty' }, h('td', { colspan: 8 }, is16(model.protocol) ? 'No configuration read yet: Read configuration asks the charger (GetConfiguration).' : 'No device model reported yet: Read configuration asks for a report (GetBaseReport).'))]));
    const limits = [...model.charging_limits.map((l) => `EVSE ${l.evse_id}: ${l.source} ${json(l.charging_limit)}`), ...model.ev_charging_needs.map((n) => `EVSE ${n.evse_id} EV needs: ${json(n.charging_needs)}`)];
    $('#charger-limits').replaceChildren(...limits.map((text) => h('li', {}, text)));
    $('#charger-limits').hidden = limits.length === 0;
  }

  function readConfiguration() {
    if (is16(live.charger.protocol)) return run('read configuration', () => shortcut('get-configuration'));
    // The report arrives later in NotifyReport messages, which fill the device model.
    return run('read device model', () => action('GetBaseReport', { requestId: Math.floor(Date.now() / 1000) % 2_000_000_000, reportBase: 'ConfigurationInventory' }));
  }

  async function renderList() {
    const chargers = await api('/admin/chargers');
    $('#charger-list tbody').replaceChildren(
      ...(chargers.length
        ? chargers.map((c) =>
            h('tr', { 'data-charger': c.id },
              h('td', {}, h('a', { href: `#/chargers/${encodeURIComponent(c.id)}` }, c.id)),
              h('td', {}, badge(c.connection.connected ? 'connected' : 'offline')), h('td', {}, c.protocol ?? '–'),
              h('td', {}, ago(c.connection.last_heartbeat_at)), h('td', {}, c.location_id ?? '–'),
              h('td', {}, c.connectors.map((x) => [`${x.connector} `, badge(x.status), ' ']))))
        : [h('tr', { class: 'empty' }, h('td', { colspan: 6 }, 'No chargers yet: register one with POST /admin/chargers.'))]),
    );
  }

  // ── loading ────────────────────────────────────────────────────────────────────────────────────

  const route = () => {
    const m = /^#\/chargers(?:\/([^/?#]+))?$/.exec(location.hash);
    return m ? { id: m[1] ? decodeURIComponent(m[1]) : null } : null;
  };

  let loading = false;
  let again = false;
  async function load() {
    clearTimeout(timer);
    const r = route();
    if (!sessionStorage.getItem(KEY_ITEM) || !r || $('#charger').hidden) return;
    // A load asked for while one runs (an action's answer came in) runs after it: the log must show the call.
    if (loading) {
      again = true;
      return;
    }
    loading = true;
    try {
      $('#charger-list-view').hidden = r.id !== null;
      $('#charger-view').hidden = r.id === null;
      if (r.id === null) {
        chargerId = null;
        await renderList();
      } else {
        if (r.id !== chargerId) {
          chargerId = r.id;
          eventsLimit = EVENTS_PAGE;
          logBefore = [];
          $('#charger-result').hidden = true;
          $('#charger-controls').dataset.protocol = '';
        }
        const before = logBefore.length ? `&before=${logBefore[logBefore.length - 1]}` : '';
        const [state, actions, events, files, model] = await Promise.all([
          api(`${base()}/live`), api(`${base()}/actions?limit=${LOG_PAGE}${before}`), api(`${base()}/events?limit=${eventsLimit}`), api(`${base()}/files`), api(`${base()}/device-model`),
        ]);
        live = state;
        renderState(state);
        renderControls(state.charger.protocol);
        $('#charger-action-names').replaceChildren(...state.actions.map((name) => h('option', { value: name })));
        for (const el of $('#charger-controls').querySelectorAll('button')) el.disabled = !state.charger.connection.connected;
        $('#charger-read-config').disabled = !state.charger.connection.connected;
        renderLog(actions);
        renderEvents(events);
        renderFiles(files);
        // An edit in progress is not redrawn under the operator's cursor.
        if (!$('#charger-variables form.inline-edit')) renderDeviceModel(model);
      }
      $('#charger-error').hidden = true;
      document.body.dataset.chargerLoaded = String(Date.now());
    } catch (error) {
      $('#charger-error').textContent = `Could not load the charger: ${error.message}`;
      $('#charger-error').hidden = false;
    } finally {
      loading = false;
      if (again) {
        again = false;
        void load();
      } else if (!busy && route()) timer = setTimeout(() => void load(), REFRESH_MS);
    }
  }

  document.addEventListener('DOMContentLoaded', () => {
    $('#charger-log-older').addEventListener('click', (event) => {
      logBefore.push(event.target.dataset.before);
      void load();
    });
    $('#charger-log-newer').addEventListener('click', () => {
      logBefore.pop();
      void load();
    });
    $('#charger-events-more').addEventListener('click', () => {
      eventsLimit = Math.min(1000, eventsLimit + EVENTS_PAGE);
      void load();
    });
    $('#charger-read-config').addEventListener('click', () => void readConfiguration());
    // Whenever dashboard.js has shown the page (sign-in, a route change, Refresh).
    new MutationObserver(() => void load()).observe(document.body, { attributes: true, attributeFilter: ['data-loaded'] });
  });
})();
