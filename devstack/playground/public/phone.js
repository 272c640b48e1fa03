/* global document, window, sessionStorage */
// The phone pane: a WhatsApp chat of the simulated user, the user picker, the list sheet, sending,
// and the blue ticks (the user looks at the chat: /seen).
import { api, byId, dayOf, el, fail, formatPhone, ICONS, rich, svg, ticks, timeOf } from './dom.js';
import { contentOfInbound, contentOfOutbound, mediaNodes, previewOf } from './messages.js';
import { renderAll, state, upsertMessage } from './store.js';

const NAMES = ['Camila Rojas', 'Julián Martínez', 'Valentina Ruiz', 'Santiago López', 'Mariana Torres', 'Daniel Castro', 'Isabella Moreno', 'Mateo Herrera'];

export function renderUsers() {
  const select = byId('user-select');
  const users = [...state.users.values()];
  select.replaceChildren(
    ...users.map((user) => el('option', { value: user.waId, title: user.profileName || undefined, text: formatPhone(user.waId) })),
  );
  if (state.currentUser) select.value = state.currentUser;
  const user = state.users.get(state.currentUser);
  const nameInput = byId('profile-name');
  if (document.activeElement !== nameInput) nameInput.value = user?.profileName ?? '';
}

export function newUser() {
  let waId;
  do waId = `57300${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
  while (state.users.has(waId));
  const profileName = NAMES[Math.floor(Math.random() * NAMES.length)];
  state.users.set(waId, { waId, profileName, local: true });
  selectUser(waId);
}

export function selectUser(waId) {
  state.currentUser = waId;
  sessionStorage.setItem('playground.user', waId);
  closeSheet();
  renderAll();
}

export function renderPhone() {
  const chat = byId('phone-chat');
  const stick = chat.scrollHeight - chat.scrollTop - chat.clientHeight < 80;
  const messages = state.conversations.get(state.currentUser) ?? [];
  const nodes = [el('div', { class: 'wa-chip lock' }, svg('0 0 24 24', ICONS.lock, 'lock-icon'), 'Chat simulado: los mensajes van a Puente en este equipo y no salen a WhatsApp.')];
  let lastDay = '';
  let lastSide = '';
  for (const message of messages) {
    const day = dayOf(message.at);
    if (day !== lastDay) {
      nodes.push(el('div', { class: 'wa-chip day', text: day }));
      lastDay = day;
      lastSide = '';
    }
    const side = message.direction === 'in' ? 'out' : 'in'; // the user's own messages go right
    nodes.push(phoneMessage(message, side, side !== lastSide, messages));
    lastSide = side;
  }
  if (messages.length === 0) nodes.push(el('div', { class: 'wa-chip start' }, 'Escribe ', el('strong', { text: 'hola' }), ' para empezar 👋'));
  if (state.typingUntil > Date.now()) {
    nodes.push(el('div', { class: 'msg-row first', data: { direction: 'in' } }, el('div', { class: 'bubble-wrap' }, el('div', { class: 'bubble' }, el('span', { class: 'typing-dots' }, el('i'), el('i'), el('i'))))));
  }
  chat.replaceChildren(...nodes);
  if (stick) chat.scrollTop = chat.scrollHeight;
  const subtitle = byId('wa-subtitle');
  const typing = state.typingUntil > Date.now();
  subtitle.textContent = typing ? 'escribiendo…' : 'Cuenta de empresa';
  subtitle.classList.toggle('typing', typing);
  scheduleSeen();
}

function phoneMessage(message, side, first, conversation) {
  const content = side === 'out' ? contentOfInbound(message.body) : contentOfOutbound(message.body, message.rendered);
  const bubble = el('div', { class: 'bubble' });
  const contextId = message.body?.context?.id;
  if (contextId) {
    const quoted = conversation.find((m) => m.wamid === contextId);
    bubble.append(el('span', { class: 'quote' }, el('strong', { text: quoted?.direction === 'in' ? 'Tú' : 'Puente' }), el('span', { text: previewOf(quoted) })));
  }
  bubble.append(...mediaNodes(content));
  if (content.header) bubble.append(el('span', { class: 'b-header', text: content.header }));
  if (content.text) bubble.append(el('span', { class: `b-text${message.status === 'failed' ? ' fail' : ''}` }, rich(content.text)));
  if (content.footer) bubble.append(el('span', { class: 'b-footer', text: content.footer }));
  bubble.append(el('span', { class: 'meta', title: message.status }, timeOf(message.at), ticks(message.status)));

  const wrap = el('div', { class: 'bubble-wrap' }, bubble);
  for (const button of content.buttons ?? []) {
    wrap.append(
      el(
        'button',
        { type: 'button', class: 'reply-button', onclick: () => userSend({ kind: 'reply', id: button.id, title: button.title }) },
        svg('0 0 24 24', ICONS.reply),
        el('span', { testid: 'reply-button', text: button.title }),
      ),
    );
  }
  if (content.list) {
    bubble.classList.add('joined');
    wrap.append(
      el(
        'button',
        { type: 'button', class: 'list-open', testid: 'list-open', onclick: () => openSheet(content.list) },
        svg('0 0 24 24', ICONS.list),
        el('span', { text: content.list.button }),
      ),
    );
  }
  return el('div', { class: `msg-row${first ? ' first' : ''}`, testid: 'phone-message', data: { direction: side, status: message.status, wamid: message.wamid } }, wrap);
}

function openSheet(list) {
  byId('list-sheet-title').textContent = list.button;
  const body = byId('list-sheet-body');
  const nodes = [];
  for (const section of list.sections) {
    if (section.title) nodes.push(el('div', { class: 'wa-sheet-section', text: section.title }));
    for (const row of section.rows ?? []) {
      nodes.push(
        el(
          'button',
          {
            type: 'button',
            class: 'wa-sheet-row',
            onclick: () => {
              closeSheet();
              userSend({ kind: 'reply', id: row.id, title: row.title });
            },
          },
          el('span', {}, el('span', { class: 'row-title', testid: 'list-row', text: row.title }), row.description ? el('span', { class: 'row-desc', text: row.description }) : null),
          el('span', { class: 'radio', 'aria-hidden': 'true' }),
        ),
      );
    }
  }
  body.replaceChildren(...nodes);
  byId('list-sheet').hidden = false;
}

function closeSheet() {
  byId('list-sheet').hidden = true;
}

async function userSend(input) {
  const waId = state.currentUser;
  if (!waId) return;
  const user = state.users.get(waId);
  const profileName = byId('profile-name').value.trim() || user?.profileName || undefined;
  if (user && profileName) user.profileName = profileName;
  // The bot answers at once; while a person has the conversation, nobody types back on cue.
  const withAgent = [...state.tickets.values()].some((t) => t.userPhone === waId && t.status !== 'closed');
  state.typingUntil = withAgent ? 0 : Date.now() + 6000;
  window.setTimeout(renderAll, 6100);
  try {
    const { message } = await api('POST', `/api/phones/${waId}/messages`, { ...input, ...(profileName ? { profileName } : {}) });
    if (user) user.local = false;
    upsertMessage(message);
  } catch (err) {
    state.typingUntil = 0;
    throw err;
  } finally {
    renderAll();
  }
}

// Ticks turn blue: the user is looking at the chat, so every delivered message becomes read.
let seenTimer;
let seenBusy = false;
let seenCooldownUntil = 0;
function scheduleSeen() {
  if (seenTimer !== undefined) return; // one pending look at a time: renders come in bursts
  seenTimer = window.setTimeout(() => {
    seenTimer = undefined;
    markSeen();
  }, 600);
}
async function markSeen() {
  const waId = state.currentUser;
  if (!waId || document.hidden || seenBusy || Date.now() < seenCooldownUntil) return;
  const messages = state.conversations.get(waId) ?? [];
  if (!messages.some((m) => m.direction === 'out' && m.status === 'delivered')) return;
  seenBusy = true;
  try {
    await api('POST', `/api/phones/${waId}/seen`);
  } catch (err) {
    seenCooldownUntil = Date.now() + 5000;
    fail('No se pudo marcar como leído')(err);
  } finally {
    seenBusy = false;
  }
  scheduleSeen(); // messages delivered meanwhile
}

export function wirePhone() {
  byId('user-select').addEventListener('change', (e) => selectUser(e.target.value));
  byId('new-user').addEventListener('click', () => {
    newUser();
    byId('phone-input').focus();
  });
  byId('profile-name').addEventListener('change', (e) => {
    const user = state.users.get(state.currentUser);
    if (user) user.profileName = e.target.value.trim();
    renderAll();
  });

  byId('phone-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const input = byId('phone-input');
    const text = input.value.trim();
    if (!text) return;
    input.value = '';
    userSend({ kind: 'text', text }).catch((err) => {
      if (!input.value) input.value = text;
      fail('Puente no recibió el mensaje')(err);
    });
  });
  for (const button of document.querySelectorAll('.attach')) {
    button.addEventListener('click', () => userSend({ kind: button.dataset.kind }).catch(fail('Puente no recibió el adjunto')));
  }
  byId('list-sheet').addEventListener('click', (e) => {
    if (e.target instanceof window.Element && e.target.closest('[data-close]')) closeSheet();
  });
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') closeSheet();
  });
  document.addEventListener('visibilitychange', scheduleSeen);
}
