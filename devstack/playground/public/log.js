/* global window */
// The selected ticket's conversation as Puente logged it (GET /api/tickets/:id/log).
import { api, byId, el, ticks, timeOf } from './dom.js';
import { state } from './store.js';

const AUTHOR_LABELS = { user: 'Usuario', bot: 'Bot', agent: 'Asesor', system: 'Sistema' };
const TYPE_LABELS = { image: 'foto', document: 'documento', audio: 'nota de voz', video: 'video', location: 'ubicación', interactive: 'menú', button_reply: 'botón', list_reply: 'opción', template: 'plantilla', sticker: 'sticker' };

let logTimer;
let logDue = 0;
let logSeq = 0;
/** Reads the log after `delay` ms; a read already due sooner stands (events come in bursts). */
export function refreshLog(delay = 0) {
  const due = Date.now() + delay;
  if (logTimer !== undefined && logDue <= due) return;
  window.clearTimeout(logTimer);
  logDue = due;
  logTimer = window.setTimeout(() => {
    logTimer = undefined;
    loadLog();
  }, delay);
}

async function loadLog() {
  const ticketId = state.currentTicket;
  const list = byId('ticket-log');
  if (!ticketId) return;
  const seq = ++logSeq;
  byId('log-refresh').classList.add('spin');
  try {
    const data = await api('GET', `/api/tickets/${ticketId}/log`);
    if (seq !== logSeq || ticketId !== state.currentTicket) return;
    const log = data.log;
    const entries = Array.isArray(log) ? log : (log?.messages ?? []);
    list.replaceChildren(...(entries.length ? entries.map(logEntry) : [el('li', { class: 'log-note', text: 'Puente aún no registra mensajes de este ticket.' })]));
    list.scrollTop = list.scrollHeight;
  } catch (err) {
    if (seq !== logSeq) return;
    list.replaceChildren(el('li', { class: 'log-note error', text: `No se pudo leer el registro: ${err instanceof Error ? err.message : String(err)}` }));
  } finally {
    window.setTimeout(() => byId('log-refresh').classList.remove('spin'), 700);
  }
}

function logEntry(entry) {
  const author = entry.author ?? (entry.direction === 'inbound' ? 'user' : 'bot');
  const status = entry.status;
  const label = { received: 'recibido', queued: 'en cola', accepted: 'aceptado', sent: 'enviado', delivered: 'entregado', read: 'leído', failed: 'falló' }[status] ?? status;
  const typeLabel = TYPE_LABELS[entry.type] ?? entry.type;
  const text = String(entry.text || entry.media?.filename || entry.media?.caption || '')
    .replace(/^\[[a-z_]+\]\s*/i, '')
    .replace(/[*_~`]/g, '');
  return el(
    'li',
    { class: 'log-entry', data: { author } },
    el(
      'div',
      { class: 'log-top' },
      el('span', { class: 'log-author', text: AUTHOR_LABELS[author] ?? author }),
      el('span', { class: 'log-time', text: timeOf(entry.at) }),
      status ? el('span', { class: 'log-status', title: status }, label, author === 'user' ? null : ticks(status === 'queued' || status === 'accepted' ? 'pending' : status)) : null,
    ),
    el('div', { class: 'log-text' }, entry.type && entry.type !== 'text' ? el('span', { class: 't', text: text ? `${typeLabel} · ` : typeLabel }) : null, text),
    entry.error ? el('div', { class: 'log-text', style: 'color:var(--danger)', text: `${entry.error.code ?? ''} ${entry.error.message ?? entry.error.title ?? ''}` }) : null,
  );
}
