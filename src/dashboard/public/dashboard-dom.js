// What every script of the dashboard builds its page with (loaded first; docs/dashboard.md): elements
// and SVG from plain DOM calls, the admin key kept in this tab's sessionStorage, and a GET of the admin
// API with it. Text reaches the page only as text nodes or attribute values, never as HTML.
'use strict';

window.HubDom = (() => {
  const KEY_ITEM = 'ocpi-hub-admin-key';
  const SVG = 'http://www.w3.org/2000/svg';
  const $ = (selector, root = document) => root.querySelector(selector);

  /** An element with attributes (`on…` are listeners, `style` an object) and children (strings become text). */
  function h(tag, attrs = {}, ...children) {
    const el = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs)) {
      if (value === undefined || value === null || value === false) continue;
      if (name.startsWith('on')) el.addEventListener(name.slice(2), value);
      // Through the CSSOM: the page's content security policy refuses inline style attributes.
      else if (name === 'style') Object.assign(el.style, value);
      else if (name === 'value' && (tag === 'textarea' || tag === 'input')) el.value = String(value);
      else el.setAttribute(name, value === true ? '' : String(value));
    }
    for (const child of children.flat()) if (child !== null && child !== undefined && child !== false) el.append(child instanceof Node ? child : String(child));
    return el;
  }

  /** An SVG element with attributes and children. */
  function s(tag, attrs = {}, ...children) {
    const el = document.createElementNS(SVG, tag);
    for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, String(value));
    for (const child of children.flat()) if (child) el.append(child instanceof Node ? child : document.createTextNode(String(child)));
    return el;
  }

  const authorization = () => `Bearer ${sessionStorage.getItem(KEY_ITEM)}`;

  /** A GET of the admin API with the key; an error names the path, the status and the hub's message. */
  async function api(path) {
    const response = await fetch(path, { headers: { Authorization: authorization(), Accept: 'application/json' } });
    if (!response.ok) {
      const body = await response.json().catch(() => ({}));
      throw new Error(`${path}: ${response.status} ${body?.error?.message ?? ''}`.trim());
    }
    return response.json();
  }

  /** How long ago an instant was, in the unit that reads best. */
  const ago = (value) => {
    if (!value) return 'never';
    const seconds = Math.max(0, (Date.now() - new Date(value).getTime()) / 1000);
    if (seconds < 90) return `${Math.round(seconds)} s ago`;
    if (seconds < 5400) return `${Math.round(seconds / 60)} min ago`;
    if (seconds < 129600) return `${Math.round(seconds / 3600)} h ago`;
    return `${Math.round(seconds / 86400)} d ago`;
  };

  /** Decimals of each currency's minor unit, from /admin/dashboard/currencies (core/money keeps the table). */
  const minorUnits = new Map();

  async function learnCurrencies(codes) {
    const unknown = [...new Set(codes.filter((c) => typeof c === 'string' && /^[A-Z]{3}$/.test(c) && !minorUnits.has(c)))];
    if (!unknown.length) return;
    const { currencies } = await api(`/admin/dashboard/currencies?codes=${unknown.join(',')}`);
    for (const c of currencies) minorUnits.set(c.code, c.minor_units);
  }

  /**
   * An amount (a decimal string or number from the API) with exactly its currency's decimals, rounded
   * half up on the decimal digits (no binary float): 7 EUR → "7.00 EUR", 14.1 → "14.10". Shown as
   * it came when the currency is unknown (learnCurrencies first).
   */
  function money(amount, currency) {
    if (amount === null || amount === undefined) return '–';
    const digits = minorUnits.get(currency);
    const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(String(amount));
    if (digits === undefined || digits === null || !m) return `${amount} ${currency ?? ''}`.trim();
    const [, sign, whole, fraction = ''] = m;
    let units = BigInt(whole + fraction.padEnd(digits, '0').slice(0, digits));
    if (fraction.length > digits && fraction[digits] >= '5') units += 1n;
    const text = units.toString().padStart(digits + 1, '0');
    const shown = digits ? `${text.slice(0, -digits)}.${text.slice(-digits)}` : text;
    return `${sign && units !== 0n ? '-' : ''}${shown} ${currency}`;
  }

  return { KEY_ITEM, SVG, $, h, s, api, authorization, ago, learnCurrencies, money };
})();
