/**
 * The driver's page as HTML: server-rendered, one small stylesheet and one small script (driver-page.assets.ts),
 * no framework. Phone first (one column, large targets), labelled, keyboard-usable, contrast ≥ 4.5:1 (WCAG AA).
 * Every text comes from the message table of the page's language.
 */
import { fill, localMoney, localNumber, type DriverLanguage, type DriverMessages, DRIVER_MESSAGES } from '../../core/driver-page/driver-messages';
import { groupedShortCode } from '../../core/driver-page/evse-short-codes';
import type { DriverReceipt } from '../../core/driver-page/driver-receipt';
import type { DriverPlace, DriverSessionView } from './driver-page.service';

export function escapeHtml(text: string | number): string {
  return String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export interface PageFrame {
  language: DriverLanguage;
  languages: DriverLanguage[];
  title: string;
  /** The page's own path, for the language links. */
  path: string;
  body: string;
  /** Data the script reads: the code and the state it polls from. */
  script?: { code: string; state: string; lang: DriverLanguage };
}

export function frame(page: PageFrame): string {
  const t = DRIVER_MESSAGES[page.language];
  const languageLinks = page.languages
    .map((l) => (l === page.language ? `<span aria-current="true">${l.toUpperCase()}</span>` : `<a href="${escapeHtml(`${page.path}?lang=${l}`)}" hreflang="${l}" lang="${l}">${l.toUpperCase()}</a>`))
    .join(' ');
  return `<!doctype html>
<html lang="${page.language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(page.title)}</title>
<link rel="stylesheet" href="/c/assets/driver.css">
</head>
<body>
<header><nav aria-label="${escapeHtml(t.language)}">${languageLinks}</nav></header>
<main id="main">
${page.body}
</main>
${page.script ? `<script src="/c/assets/driver.js" defer data-code="${escapeHtml(page.script.code)}" data-state="${escapeHtml(page.script.state)}" data-lang="${page.script.lang}"></script>` : ''}
</body>
</html>`;
}

function statusText(t: DriverMessages, status: string): string {
  return (t.statuses as Record<string, string>)[status] ?? status;
}

/** The place, status and price: what every driver sees first. */
export function placeSection(place: DriverPlace, language: DriverLanguage): string {
  const t = DRIVER_MESSAGES[language];
  const money = (amount: string) => localMoney(amount, place.price?.currency ?? place.currency, language);
  const unitText: Record<string, string> = { kWh: t.per_kwh, minute: t.per_minute, session: t.per_session, parking_minute: t.per_parking_minute };
  const priceItems = (place.price?.lines ?? [])
    .map((line) => {
      const step = line.step ? ` · ${fill(line.unit === 'kWh' ? t.billed_in_steps_kwh : t.billed_in_steps_min, { step: localNumber(line.step, language) })}` : '';
      const vat = line.vat === null ? t.no_vat : fill(t.vat, { vat: localNumber(String(line.vat), language) });
      return `<li data-price="${line.dimension}"><strong>${escapeHtml(money(line.priceInclVat))}</strong> ${escapeHtml(unitText[line.unit])}<br><small>${escapeHtml(vat + step)}</small></li>`;
    })
    .join('\n');
  const price = place.price
    ? `<ul class="price">${priceItems}</ul>
<p class="typical" data-typical>${escapeHtml(fill(t.typical, { kwh: place.price.typical.kwh, minutes: place.price.typical.minutes, total: money(place.price.typical.totalInclVat) }))}</p>
${place.price.minPrice ? `<p>${escapeHtml(fill(t.min_price, { amount: money(place.price.minPrice) }))}</p>` : ''}
${place.price.maxPrice ? `<p>${escapeHtml(fill(t.max_price, { amount: money(place.price.maxPrice) }))}</p>` : ''}
${place.price.varies ? `<p class="note">${escapeHtml(t.varies)}</p>` : ''}`
    : `<p>${escapeHtml(t.no_price)}</p>`;
  const power = place.powerKw ? ` · ${localNumber(String(place.powerKw), language)} kW` : '';
  return `<h1>${escapeHtml(place.locationName)}</h1>
${place.address ? `<p class="address">${escapeHtml(place.address)}</p>` : ''}
<dl class="facts">
  <div><dt>${escapeHtml(t.evse)}</dt><dd>${escapeHtml(place.evseId)} <span class="code">(${escapeHtml(groupedShortCode(place.code))})</span></dd></div>
  <div><dt>${escapeHtml(t.connector)}</dt><dd>${escapeHtml(place.connectorStandard.replace(/_/g, ' ') + power)}</dd></div>
  <div><dt>${escapeHtml(t.status)}</dt><dd><span class="status status-${escapeHtml(place.status.toLowerCase())}" data-field="status">${escapeHtml(statusText(t, place.status))}</span></dd></div>
</dl>
<section aria-labelledby="price-heading" class="card">
<h2 id="price-heading">${escapeHtml(t.price)}</h2>
${price}
</section>`;
}

/** The pay button, or why there is none. `notice` is an alert above it (a declined card, a canceled payment). */
export function paySection(place: DriverPlace, language: DriverLanguage, notice?: string): string {
  const t = DRIVER_MESSAGES[language];
  const alert = notice ? `<p role="alert" class="alert">${escapeHtml(notice)}</p>` : '';
  if (!place.startable) {
    const why = place.refusal === 'in_use' ? t.in_use : place.refusal === 'payments_off' ? t.payments_off : fill(t.not_available, { status: statusText(t, place.status) });
    return `${alert}<p role="status" class="alert" data-refusal="${place.refusal}">${escapeHtml(why)}</p>`;
  }
  return `${alert}<form method="post" action="/c/${escapeHtml(place.code)}/pay?lang=${language}" class="pay">
<p>${escapeHtml(fill(t.hold, { amount: localMoney(place.holdAmount, place.currency, language) }))}</p>
<button type="submit" data-action="pay">${escapeHtml(t.pay)}</button>
</form>`;
}

/** The driver's own session: starting, charging (live figures and the stop button), finishing, finished, or not started. */
export function sessionSection(code: string, view: DriverSessionView, language: DriverLanguage): string {
  const t = DRIVER_MESSAGES[language];
  const money = (amount: string | null) => (amount === null ? '–' : localMoney(amount, view.currency, language));
  switch (view.state) {
    case 'paying':
    case 'starting':
      return `<section class="card" aria-labelledby="session-heading"><h2 id="session-heading">${escapeHtml(t.session)}</h2>
<p role="status" aria-live="polite" data-state-text>${escapeHtml(t.waiting)}</p><p>${escapeHtml(t.plug_in)}</p></section>`;
    case 'charging':
    case 'finishing':
      return `<section class="card" aria-labelledby="session-heading"><h2 id="session-heading">${escapeHtml(view.state === 'charging' ? t.charging : t.finished)}</h2>
<dl class="live" aria-live="polite">
  <div><dt>${escapeHtml(t.energy)}</dt><dd><span data-field="kwh">${escapeHtml(localNumber(view.kwh ?? '0.00', language))}</span> kWh</dd></div>
  <div><dt>${escapeHtml(t.power)}</dt><dd><span data-field="power_kw">${escapeHtml(view.power_kw === null ? '–' : localNumber(view.power_kw, language))}</span> kW</dd></div>
  <div><dt>${escapeHtml(t.duration)}</dt><dd><span data-field="minutes">${escapeHtml(view.minutes ?? 0)}</span> min</dd></div>
  <div><dt>${escapeHtml(t.cost_so_far)}</dt><dd><span data-field="cost_so_far">${escapeHtml(money(view.cost_so_far))}</span></dd></div>
</dl>
${
  view.state === 'charging'
    ? `<form method="post" action="/c/${escapeHtml(code)}/stop?lang=${language}" class="stop"><button type="submit" data-action="stop" data-stopping="${escapeHtml(t.stopping)}">${escapeHtml(t.stop)}</button></form>`
    : `<p role="status">${escapeHtml(t.wait_receipt)}</p>`
}
</section>`;
    case 'finished':
      return `<section class="card" aria-labelledby="session-heading"><h2 id="session-heading">${escapeHtml(t.finished)}</h2>
<dl class="live">
  <div><dt>${escapeHtml(t.energy)}</dt><dd>${escapeHtml(localNumber(view.kwh ?? '0.00', language))} kWh</dd></div>
  <div><dt>${escapeHtml(t.duration)}</dt><dd>${escapeHtml(view.minutes ?? 0)} min</dd></div>
  <div><dt>${escapeHtml(t.total)}</dt><dd data-field="final_cost">${escapeHtml(money(view.final_cost))}</dd></div>
</dl>
<p><a class="button" href="/c/${escapeHtml(code)}/receipt?lang=${language}" data-action="receipt">${escapeHtml(t.receipt)}</a></p>
<p><a href="/c/${escapeHtml(code)}/receipt.pdf?lang=${language}" data-action="receipt-pdf">${escapeHtml(t.receipt_pdf)}</a></p>
</section>`;
    case 'not_started':
    case 'failed':
      return `<p role="alert" class="alert" data-state-text>${escapeHtml(view.failure && view.state === 'failed' ? view.failure : t.not_started)}</p>`;
    default:
      return '';
  }
}

export interface ReceiptFacts {
  receipt: DriverReceipt;
  cdrId: string;
  startedAt: string;
  endedAt: string;
  timeZone: string;
  address: string;
  evseId: string;
  operatorName: string;
  capturedAmount: string | null;
  releasedAmount: string | null;
}

/** Local date and time of the location, in the page's language. */
export function localDateTime(iso: string, timeZone: string, language: DriverLanguage): string {
  return new Intl.DateTimeFormat(language === 'en' ? 'en-GB' : language, { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(new Date(iso));
}

/** The receipt's lines as text rows (label, amount), shared by the HTML and PDF receipts. */
export function receiptRows(facts: ReceiptFacts, language: DriverLanguage): { lines: [string, string][]; vat: [string, string][]; totals: [string, string][] } {
  const t = DRIVER_MESSAGES[language];
  const r = facts.receipt;
  const money = (amount: string) => localMoney(amount, r.currency, language);
  const label = (dimension: string, quantity: string) =>
    dimension === 'ENERGY'
      ? fill(t.energy_line, { kwh: localNumber(quantity, language) })
      : dimension === 'TIME'
        ? fill(t.time_line, { minutes: quantity })
        : dimension === 'PARKING_TIME'
          ? fill(t.parking_line, { minutes: quantity })
          : dimension === 'FLAT'
            ? t.flat_line
            : t.adjustment_line;
  return {
    lines: r.lines.map((l) => [label(l.dimension, l.quantity), money(l.netAmount)]),
    vat: r.vat.map((v) => [v.rate === null ? t.no_vat : `${fill(t.vat_line, { vat: localNumber(String(v.rate), language) })} (${t.net} ${money(v.net)})`, money(v.vat)]),
    totals: [
      [t.net, money(r.totalExclVat)],
      [t.total, money(r.totalInclVat)],
      ...(facts.capturedAmount ? [[t.paid_card, money(facts.capturedAmount)] as [string, string]] : []),
      ...(facts.releasedAmount && facts.releasedAmount !== '0.00' ? [[t.released, money(facts.releasedAmount)] as [string, string]] : []),
    ],
  };
}

export function receiptSection(code: string, facts: ReceiptFacts, language: DriverLanguage): string {
  const t = DRIVER_MESSAGES[language];
  const rows = receiptRows(facts, language);
  const table = (items: [string, string][], cls: string) => items.map(([a, b]) => `<tr class="${cls}"><th scope="row">${escapeHtml(a)}</th><td>${escapeHtml(b)}</td></tr>`).join('\n');
  return `<h1>${escapeHtml(t.receipt)}</h1>
<dl class="facts">
  <div><dt>${escapeHtml(t.receipt_no)}</dt><dd data-field="cdr_id">${escapeHtml(facts.cdrId)}</dd></div>
  <div><dt>${escapeHtml(t.operator)}</dt><dd>${escapeHtml(facts.operatorName)}</dd></div>
  <div><dt>${escapeHtml(t.location)}</dt><dd>${escapeHtml(facts.address)}</dd></div>
  <div><dt>${escapeHtml(t.evse)}</dt><dd>${escapeHtml(facts.evseId)}</dd></div>
  <div><dt>${escapeHtml(t.date)}</dt><dd>${escapeHtml(localDateTime(facts.startedAt, facts.timeZone, language))} – ${escapeHtml(localDateTime(facts.endedAt, facts.timeZone, language))}</dd></div>
</dl>
<table class="receipt" data-receipt>
<tbody>
${table(rows.lines, 'line')}
${table(rows.vat, 'vat')}
${table(rows.totals, 'total')}
</tbody>
</table>
<p><a class="button" href="/c/${escapeHtml(code)}/receipt.pdf?lang=${language}" data-action="receipt-pdf">${escapeHtml(t.receipt_pdf)}</a></p>`;
}
