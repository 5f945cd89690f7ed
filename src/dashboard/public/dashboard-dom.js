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

  return { KEY_ITEM, SVG, $, h, s, api, authorization };
})();
