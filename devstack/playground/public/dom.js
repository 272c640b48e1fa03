/* global document, window, fetch, Node */
// Small DOM and HTTP helpers. Everything users or the agent wrote reaches the DOM as text nodes
// (textContent, or strings passed to append): never as HTML.

export const BASE = document.body.dataset.base ?? '';
export const byId = (id) => document.getElementById(id);

export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key === 'text') node.textContent = value;
    else if (key === 'testid') node.dataset.testid = value;
    else if (key === 'data') Object.assign(node.dataset, value);
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

const SVG_NS = 'http://www.w3.org/2000/svg';
export function svg(viewBox, paths, className) {
  const root = document.createElementNS(SVG_NS, 'svg');
  root.setAttribute('viewBox', viewBox);
  if (className) root.setAttribute('class', className);
  for (const d of paths) {
    const path = document.createElementNS(SVG_NS, 'path');
    path.setAttribute('d', d);
    path.setAttribute('fill', 'currentColor');
    root.append(path);
  }
  return root;
}

export const ICONS = {
  check: ['M10.9 3.3 5 9.2 2.6 6.8l-.9.9L5 11l6.8-6.8z'],
  checks: ['M11.1 3.3 5.2 9.2 2.8 6.8l-.9.9 3.3 3.3 6.8-6.8z', 'M15 3.3 9.1 9.2l-.6-.6-.9.9 1.5 1.5 6.8-6.8z'],
  failed: ['M8 1a7 7 0 1 0 0 14A7 7 0 0 0 8 1zm.8 10.6H7.2V10h1.6zm0-3H7.2V4.4h1.6z'],
  clock: ['M8 1.5a6.5 6.5 0 1 0 0 13 6.5 6.5 0 0 0 0-13zm0 11.7a5.2 5.2 0 1 1 0-10.4 5.2 5.2 0 0 1 0 10.4zM8.6 4.5H7.4v4l3.2 1.9.6-1-2.6-1.6z'],
  reply: ['M10 9V5l-7 7 7 7v-4.1c5 0 8.5 1.6 11 5.1-1-5-4-10-11-11z'],
  list: ['M3 13h2v-2H3zm0 4h2v-2H3zm0-8h2V7H3zm4 4h14v-2H7zm0 4h14v-2H7zM7 7v2h14V7z'],
  doc: ['M14 2H6a2 2 0 0 0-2 2v16a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2V8zm-1 7V3.5L18.5 9zM8 13h8v1.6H8zm0 3.4h8V18H8z'],
  play: ['M8 5v14l11-7z'],
  lock: ['M17 9h-1V7a4 4 0 0 0-8 0v2H7a2 2 0 0 0-2 2v8a2 2 0 0 0 2 2h10a2 2 0 0 0 2-2v-8a2 2 0 0 0-2-2zm-7-2a2 2 0 1 1 4 0v2h-4z'],
};

export function ticks(status) {
  if (status === 'failed') return svg('0 0 16 16', ICONS.failed, 'ticks failed');
  if (status === 'sent') return svg('0 0 16 11', ICONS.check, 'ticks');
  if (status === 'delivered' || status === 'received') return svg('0 0 16 11', ICONS.checks, 'ticks');
  if (status === 'read') return svg('0 0 16 11', ICONS.checks, 'ticks read');
  return svg('0 0 16 16', ICONS.clock, 'ticks');
}

const timeFormat = new Intl.DateTimeFormat('es-CO', { hour: 'numeric', minute: '2-digit' });
const dayFormat = new Intl.DateTimeFormat('es-CO', { weekday: 'long', day: 'numeric', month: 'long' });
export function timeOf(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '' : timeFormat.format(date);
}
export function dayOf(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const today = new Date();
  const yesterday = new Date(Date.now() - 86_400_000);
  if (date.toDateString() === today.toDateString()) return 'Hoy';
  if (date.toDateString() === yesterday.toDateString()) return 'Ayer';
  return dayFormat.format(date);
}
export function ago(iso) {
  const seconds = Math.max(0, Math.round((Date.now() - new Date(iso).getTime()) / 1000));
  if (seconds < 45) return 'ahora';
  if (seconds < 3600) return `hace ${Math.round(seconds / 60)} min`;
  if (seconds < 86_400) return `hace ${Math.round(seconds / 3600)} h`;
  return `hace ${Math.round(seconds / 86_400)} d`;
}

export function formatPhone(waId) {
  const digits = String(waId ?? '');
  const match = /^57(\d{3})(\d{3})(\d{4})$/.exec(digits);
  return match ? `+57 ${match[1]} ${match[2]} ${match[3]}` : `+${digits}`;
}
export function initials(name) {
  const words = String(name ?? '').trim().split(/\s+/).filter(Boolean);
  return (words.slice(0, 2).map((w) => w[0]).join('') || '?').toUpperCase();
}

/** WhatsApp's light formatting (*bold*, _italic_, ~strike~, `code`) as DOM nodes, text kept as text. */
export function rich(text) {
  const fragment = document.createDocumentFragment();
  const pattern = /(\*[^*\n]+\*|_[^_\n]+_|~[^~\n]+~|`[^`\n]+`)/g;
  let last = 0;
  for (const match of String(text ?? '').matchAll(pattern)) {
    fragment.append(text.slice(last, match.index));
    const token = match[0];
    const inner = token.slice(1, -1);
    const tag = { '*': 'strong', _: 'em', '~': 's', '`': 'code' }[token[0]];
    fragment.append(el(tag, { text: inner }));
    last = match.index + token.length;
  }
  fragment.append(String(text ?? '').slice(last));
  return fragment;
}

/** replaceChildren without the null/false placeholders of conditional children. */
export function fill(node, ...children) {
  node.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
}

export function toast(message, kind = 'error', title) {
  const node = el('div', { class: `toast ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, title ? el('strong', { text: title }) : null, message);
  byId('toasts').append(node);
  window.setTimeout(() => {
    node.classList.add('leaving');
    window.setTimeout(() => node.remove(), 300);
  }, kind === 'error' ? 7000 : 3500);
}

export async function api(method, path, body) {
  const response = await fetch(`${BASE}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  if (!response.ok) {
    const error = data?.error ?? {};
    const details = Array.isArray(error.details) ? error.details.map((d) => `${d.path}: ${d.message}`).join(' · ') : '';
    throw new Error([error.message ?? `HTTP ${response.status}`, details].filter(Boolean).join(' — '));
  }
  return data;
}

export function fail(title) {
  return (err) => toast(err instanceof Error ? err.message : String(err), 'error', title);
}

export function hostOf(link) {
  try {
    return new URL(link).host;
  } catch {
    return link;
  }
}
