/* global document, window, localStorage */
// The agent pane (the simulated CRM): the ticket queue, the selected ticket's chat, and the
// agent's actions (take, write, resolve).
import { api, ago, byId, el, fail, fill, formatPhone, initials, timeOf } from './dom.js';
import { refreshLog } from './log.js';
import { selectUser } from './phone.js';
import { addActivity, renderAll, sortedTickets, state, upsertTicket } from './store.js';

const CATEGORY_LABELS = { reactivacion_servicio: 'Reactivación', soporte_agente: 'Soporte' };
const EVENT_LABELS = {
  assignment_timeout_warning: 'Nadie tomó el ticket a tiempo: subió la prioridad',
  assignment_timeout: 'Se cerró: nadie lo tomó a tiempo',
  idle_timeout: 'Se cerró por inactividad',
  customer_left: 'El cliente salió de la conversación',
  closed: 'Ticket cerrado',
};
const STATUS_LABELS = { pending: 'Pendiente', active: 'Activo', closed: 'Cerrado' };

export function selectTicket(ticketId) {
  if (state.currentTicket === ticketId) return;
  state.currentTicket = ticketId;
  byId('ticket-log').replaceChildren();
  renderAll();
  refreshLog();
}

function nameOf(ticket) {
  return ticket.customerName || ticket.request?.userContext?.customerName || state.users.get(ticket.userPhone)?.profileName || formatPhone(ticket.userPhone);
}

function isSuspended(ticket) {
  return ticket.request?.serviceSuspended === true || ticket.category === 'reactivacion_servicio';
}

export function renderQueue() {
  const groups = [
    ['pending', 'Pendientes', 'Nadie esperando'],
    ['active', 'Activos', 'Ningún chat activo'],
    ['closed', 'Cerrados', 'Sin tickets cerrados'],
  ];
  const tickets = sortedTickets();
  byId('queue').replaceChildren(
    ...groups.map(([status, title, empty]) => {
      const mine = tickets.filter((t) => t.status === status);
      return el(
        'section',
        { class: 'queue-group', data: { status } },
        el('h3', {}, el('span', { class: 'dot' }), title, el('span', { class: 'count', text: String(mine.length) })),
        mine.length === 0 ? el('p', { class: 'queue-empty', text: empty }) : mine.map(ticketCard),
      );
    }),
  );
}

function ticketCard(ticket) {
  return el(
    'button',
    {
      type: 'button',
      class: `ticket-card${state.freshTickets.has(ticket.ticketId) ? ' fresh' : ''}`,
      testid: 'ticket',
      'aria-current': ticket.ticketId === state.currentTicket ? 'true' : 'false',
      data: { ticketId: ticket.ticketId, status: ticket.status, priority: ticket.priority ?? '' },
      onclick: () => selectTicket(ticket.ticketId),
    },
    el('span', { class: 'tc-top' }, el('span', { class: 'tc-id', text: ticket.ticketId }), el('span', { class: 'tc-time', text: ago(ticket.createdAt) })),
    el('span', { class: 'tc-name', text: nameOf(ticket) }),
    el(
      'span',
      { class: 'tc-chips' },
      ticket.category ? el('span', { class: 'chip chip-cat', text: CATEGORY_LABELS[ticket.category] ?? ticket.category }) : null,
      ticket.priority ? el('span', { class: `chip chip-${ticket.priority}`, text: `Prioridad ${ticket.priority}` }) : null,
      ticket.agent ? el('span', { class: 'chip chip-agent', text: ticket.agent.name }) : null,
    ),
  );
}

export function renderTicket() {
  const ticket = state.tickets.get(state.currentTicket);
  byId('ticket-empty').hidden = Boolean(ticket);
  byId('ticket-detail').hidden = !ticket;
  byId('log-sub').textContent = ticket ? `GET /api/crm/tickets/${ticket.ticketId}/messages` : 'Selecciona un ticket';
  if (!ticket) {
    byId('ticket-log').replaceChildren(el('li', { class: 'log-note', text: 'Aquí verás lo que Puente registró del ticket: mensajes del usuario, del bot y del asesor, con su estado de entrega.' }));
    return;
  }
  const avatar = byId('td-avatar');
  avatar.textContent = initials(nameOf(ticket));
  avatar.classList.toggle('suspended', isSuspended(ticket));
  byId('td-name').textContent = nameOf(ticket);
  const phoneLink = el('a', { href: '#', title: 'Ver en el teléfono', text: formatPhone(ticket.userPhone), onclick: (e) => (e.preventDefault(), selectUser(ticket.userPhone)) });
  fill(byId('td-sub'), el('span', { class: 'td-id', text: ticket.ticketId }), phoneLink);
  fill(
    byId('td-meta'),
    el('span', { class: `chip chip-${ticket.status}`, text: STATUS_LABELS[ticket.status] ?? ticket.status }),
    ticket.category ? el('span', { class: 'chip chip-cat', text: CATEGORY_LABELS[ticket.category] ?? ticket.category }) : null,
    ticket.priority ? el('span', { class: `chip chip-${ticket.priority}`, text: `Prioridad ${ticket.priority}` }) : null,
    isSuspended(ticket) ? el('span', { class: 'chip chip-warn', text: 'Servicio suspendido' }) : null,
    ticket.agent ? el('span', { class: 'chip chip-agent', text: `Asesor: ${ticket.agent.name}` }) : null,
  );

  byId('take-ticket').disabled = ticket.status !== 'pending';
  byId('resolve-ticket').disabled = ticket.status === 'closed';
  const active = ticket.status === 'active';
  byId('agent-input').disabled = !active;
  byId('agent-send').disabled = !active;
  byId('agent-hint').textContent = active ? `Como ${ticket.agent?.name ?? 'asesor'}` : ticket.status === 'pending' ? 'Primero tómalo' : 'Cerrado';

  const chat = byId('agent-chat');
  const stick = chat.scrollHeight - chat.scrollTop - chat.clientHeight < 80;
  chat.replaceChildren(...agentChatNodes(ticket));
  if (stick) chat.scrollTop = chat.scrollHeight;
}

function agentChatNodes(ticket) {
  const items = [{ at: ticket.createdAt, sys: `Ticket abierto${ticket.category ? ` · ${CATEGORY_LABELS[ticket.category] ?? ticket.category}` : ''}` }];
  for (const m of ticket.userMessages ?? []) items.push({ at: m.timestamp ?? ticket.createdAt, who: 'user', message: m });
  const activity = state.agentActivity.get(ticket.ticketId) ?? [];
  for (const a of activity) {
    if (a.type === 'take') items.push({ at: a.at, sys: `${a.agentName ?? ticket.agent?.name ?? 'El asesor'} tomó el ticket` });
    else if (a.type === 'resolve') items.push({ at: a.at, sys: 'Ticket resuelto ✅ · Puente retoma con el bot' });
    else items.push({ at: a.at, who: 'agent', message: a });
  }
  for (const e of ticket.events ?? []) items.push({ at: e.timestamp ?? '', sys: EVENT_LABELS[e.event] ?? e.event });
  items.sort((a, b) => String(a.at).localeCompare(String(b.at)));
  // Taken or resolved elsewhere (not from this page): say so without a time.
  if (ticket.agent && !activity.some((a) => a.type === 'take')) items.splice(1, 0, { sys: `${ticket.agent.name} tomó el ticket` });
  if (ticket.status === 'closed' && !(ticket.events ?? []).length && !activity.some((a) => a.type === 'resolve')) items.push({ sys: 'Ticket cerrado' });

  const nodes = [];
  let lastWho = '';
  for (const item of items) {
    if (item.sys) {
      nodes.push(el('div', { class: 'sys', text: item.at ? `${item.sys} · ${timeOf(item.at)}` : item.sys }));
      lastWho = '';
      continue;
    }
    const first = item.who !== lastWho;
    lastWho = item.who;
    const who = item.who === 'user' ? nameOf(ticket) : `${ticket.agent?.name ?? 'Asesor'} (tú)`;
    nodes.push(
      el(
        'div',
        { class: `amsg${first ? ' first' : ''}`, testid: 'agent-message', data: { direction: item.who } },
        first ? el('span', { class: 'amsg-who', text: who }) : null,
        el('div', { class: 'amsg-bubble' }, ...agentBubbleContent(item), el('span', { class: 'amsg-time', text: timeOf(item.at) })),
      ),
    );
  }
  return nodes;
}

function agentBubbleContent(item) {
  const m = item.message;
  if (item.who === 'agent') {
    if (m.type === 'text') return [m.text];
    const kind = m.type === 'image' ? '📷 Imagen' : `📄 ${m.filename ?? 'Documento'}`;
    return [el('span', { class: 'amsg-kind', text: kind }), m.caption ? el('span', { class: 'amsg-caption', text: m.caption }) : null, el('span', { class: 'amsg-link', text: m.link })];
  }
  const icons = { image: '📷 ', document: '📄 ', audio: '🎤 ', video: '🎬 ', location: '📍 ', sticker: '💟 ', button_reply: '↩︎ ', list_reply: '☰ ' };
  const icon = icons[m.messageType] ?? '';
  const label = { image: 'Foto', document: 'Documento', audio: 'Nota de voz', location: 'Ubicación', video: 'Video' }[m.messageType];
  return [`${icon}${m.text || label || `[${m.messageType ?? 'mensaje'}]`}`];
}

async function ticketAction(path, body, title) {
  const ticketId = state.currentTicket;
  if (!ticketId) return;
  try {
    const result = await api('POST', `/api/tickets/${ticketId}/${path}`, body);
    if (result?.ticket) upsertTicket(result.ticket);
    if (result?.activity) addActivity(result.activity);
    renderAll();
    refreshLog(600);
    return result;
  } catch (err) {
    fail(title)(err);
    return undefined;
  }
}

function setAgentType(type) {
  state.agentType = type;
  for (const button of document.querySelectorAll('.seg-btn')) button.setAttribute('aria-pressed', String(button.dataset.type === type));
  const input = byId('agent-input');
  input.placeholder = { text: 'Escribe un mensaje para el cliente…', image: 'https://ejemplo.co/factura.png', document: 'https://ejemplo.co/contrato.pdf' }[type];
  byId('agent-media').hidden = type === 'text';
  byId('agent-filename').hidden = type !== 'document';
  byId('agent-caption').placeholder = type === 'image' ? 'Pie de foto (opcional)' : 'Texto (opcional)';
}

/** A ticket Puente just opened gets the agent's attention unless another open one has it. */
export function ticketArrived(ticket) {
  const current = state.tickets.get(state.currentTicket);
  if (ticket.status !== 'closed' && (!current || current.status === 'closed')) selectTicket(ticket.ticketId);
}

export function wireAgent() {
  const agentName = byId('agent-name');
  agentName.value = localStorage.getItem('playground.agent') ?? agentName.value;
  agentName.addEventListener('change', () => localStorage.setItem('playground.agent', agentName.value.trim()));
  byId('take-ticket').addEventListener('click', () => {
    const name = agentName.value.trim();
    ticketAction('take', name ? { agentName: name } : {}, 'No se pudo tomar el ticket');
  });
  byId('resolve-ticket').addEventListener('click', () => ticketAction('resolve', undefined, 'No se pudo resolver el ticket'));
  for (const button of document.querySelectorAll('.seg-btn')) button.addEventListener('click', () => setAgentType(button.dataset.type));
  byId('agent-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const input = byId('agent-input');
    const value = input.value.trim();
    if (!value) return;
    const caption = byId('agent-caption').value.trim();
    const filename = byId('agent-filename').value.trim();
    const body =
      state.agentType === 'text'
        ? { type: 'text', text: value }
        : { type: state.agentType, link: value, ...(caption ? { caption } : {}), ...(state.agentType === 'document' && filename ? { filename } : {}) };
    input.value = '';
    const result = await ticketAction('messages', body, 'Puente no aceptó el mensaje');
    if (!result) input.value = value;
    else {
      byId('agent-caption').value = '';
      byId('agent-filename').value = '';
    }
    input.focus();
  });
  byId('log-refresh').addEventListener('click', () => refreshLog());
  window.setInterval(renderQueue, 30_000); // "hace 3 min" stays true
  setAgentType('text');
}
