/* global document, window, EventSource */
// Puente playground: the page's entry. Plain ES2022 modules, no framework, no build step.
// Live: an EventSource on /events; on every (re)connection the whole state is read again.
import { renderQueue, renderTicket, ticketArrived, wireAgent } from './agent.js';
import { api, BASE, byId, fail, toast } from './dom.js';
import { refreshLog } from './log.js';
import { newUser, renderPhone, renderUsers, wirePhone } from './phone.js';
import { addActivity, applyStatus, onRender, renderAll, sortedTickets, state, upsertMessage, upsertTicket, withSnapshot } from './store.js';

async function loadState() {
  await withSnapshot(() => api('GET', '/api/state'), applySnapshot);
  if (!state.currentUser || !state.users.has(state.currentUser)) {
    const latest = [...state.conversations.entries()].map(([waId, list]) => [waId, list.at(-1)?.at ?? '']).sort((a, b) => b[1].localeCompare(a[1]))[0];
    if (latest) state.currentUser = latest[0];
    else newUser();
  }
  if (!state.currentTicket || !state.tickets.has(state.currentTicket)) {
    const sorted = sortedTickets();
    state.currentTicket = (sorted.find((t) => t.status !== 'closed') ?? sorted[0])?.ticketId;
  }
  renderLinks();
  renderAll();
  refreshLog();
}

function applySnapshot(data) {
  state.links = data.links ?? {};
  const before = state.users;
  state.users = new Map();
  for (const user of data.users ?? []) state.users.set(user.waId, { ...user, local: false });
  // Users the page made up (not written yet), and the one on screen, stay.
  for (const user of before.values()) if (!state.users.has(user.waId) && (user.local || user.waId === state.currentUser)) state.users.set(user.waId, user);
  state.conversations = new Map(Object.entries(data.conversations ?? {}));
  state.tickets = new Map((data.tickets ?? []).map((t) => [t.ticketId, t]));
  state.agentActivity = new Map(Object.entries(data.agentActivity ?? {}));
}

function renderLinks() {
  const links = { 'link-bull': state.links.bullBoard, 'link-docs': state.links.docs, 'link-metrics': state.links.metrics };
  for (const [id, href] of Object.entries(links)) {
    const anchor = byId(id);
    if (href) anchor.href = href;
    anchor.hidden = !href;
  }
}

function setLive(mode, text) {
  byId('live').dataset.state = mode;
  byId('live-text').textContent = text;
}

function wireShell() {
  for (const chip of document.querySelectorAll('.doc-chip')) {
    chip.addEventListener('click', () => {
      const input = byId('phone-input');
      input.value = chip.dataset.doc;
      input.focus();
    });
  }
  const clock = () => (byId('clock').textContent = new Intl.DateTimeFormat('es-CO', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date()));
  clock();
  window.setInterval(clock, 15_000);
}

function connect() {
  const source = new EventSource(`${BASE}/events`);
  source.addEventListener('open', () => {
    setLive('live', 'En vivo');
    loadState().catch(fail('No se pudo cargar el estado'));
  });
  source.addEventListener('error', () => setLive(source.readyState === EventSource.CLOSED ? 'down' : 'connecting', 'Reconectando…'));
  const on = (event, handler) =>
    source.addEventListener(event, (e) => {
      try {
        handler(JSON.parse(e.data));
      } catch (err) {
        console.warn('playground: bad event', event, err);
      }
      renderAll();
    });
  on('message', (message) => {
    upsertMessage(message);
    const ticket = state.tickets.get(state.currentTicket);
    if (ticket && ticket.userPhone === message.waId) refreshLog(500);
  });
  on('status', (event) => {
    applyStatus(event);
    const ticket = state.tickets.get(state.currentTicket);
    if (ticket && ticket.userPhone === event.waId) refreshLog(800);
  });
  on('ticket', (ticket) => {
    if (upsertTicket(ticket)) ticketArrived(ticket);
    if (ticket.ticketId === state.currentTicket) refreshLog(400);
  });
  on('crm', ({ kind, data }) => {
    if (kind === 'agent-activity') addActivity(data);
    else if (kind === 'error') toast(data?.message ?? 'Error en el CRM simulado', 'error', 'CRM simulado');
    else if (kind === 'webhook-failed') toast(data?.error?.message ?? String(data?.error ?? 'Puente no recibió un webhook de estado'), 'error', 'WhatsApp simulado');
  });
}

onRender(renderUsers);
onRender(renderPhone);
onRender(renderQueue);
onRender(renderTicket);
wireShell();
wirePhone();
wireAgent();
connect();
