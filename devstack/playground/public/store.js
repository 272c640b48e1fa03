/* global window, sessionStorage, requestAnimationFrame */
// The page's state: what the simulators and Puente said, updated from /api/state and the SSE stream.

const STATUS_RANK = { received: 0, sent: 1, delivered: 2, read: 3, failed: 4 };

export const state = {
  users: new Map(), // waId → { waId, profileName, local }
  conversations: new Map(), // waId → SimMessage[]
  tickets: new Map(), // ticketId → SimTicket
  agentActivity: new Map(), // ticketId → what this page's agent did (messages, take, resolve)
  links: {},
  currentUser: sessionStorage.getItem('playground.user') ?? undefined,
  currentTicket: undefined,
  agentType: 'text',
  typingUntil: 0,
  freshTickets: new Set(),
};

// A snapshot (/api/state) answers for the moment it was read: changes that arrive while it is on
// its way are applied again on top of it, so none is lost to a stale snapshot.
const replays = new Set();
function remember(change) {
  for (const replay of replays) replay.push(change);
}

/** Reads a snapshot with `read`, applies it with `apply`, then re-applies what changed meanwhile. */
export async function withSnapshot(read, apply) {
  const replay = [];
  replays.add(replay);
  let data;
  try {
    data = await read();
  } finally {
    replays.delete(replay);
  }
  apply(data);
  for (const change of replay) change();
}

export function upsertMessage(message) {
  if (!message?.waId) return;
  remember(() => upsertMessage(message));
  if (!state.users.has(message.waId)) state.users.set(message.waId, { waId: message.waId, profileName: '', local: false });
  const list = state.conversations.get(message.waId) ?? [];
  const index = list.findIndex((m) => m.wamid === message.wamid);
  if (index === -1) list.push(message);
  else list[index] = { ...list[index], ...message, status: laterStatus(list[index].status, message.status) };
  list.sort((a, b) => a.at.localeCompare(b.at));
  state.conversations.set(message.waId, list);
  if (message.direction === 'out') state.typingUntil = 0;
}

function laterStatus(current, next) {
  if (!current) return next;
  if (!next) return current;
  return (STATUS_RANK[next] ?? 0) >= (STATUS_RANK[current] ?? 0) ? next : current;
}

export function applyStatus(event) {
  remember(() => applyStatus(event));
  const list = state.conversations.get(event.waId) ?? [];
  const message = list.find((m) => m.wamid === event.wamid);
  if (message) message.status = laterStatus(message.status, event.status);
}

/** Records the ticket; true when it is new to the page. */
export function upsertTicket(ticket) {
  if (!ticket?.ticketId) return false;
  remember(() => upsertTicket(ticket));
  const known = state.tickets.has(ticket.ticketId);
  state.tickets.set(ticket.ticketId, ticket);
  if (known) return false;
  state.freshTickets.add(ticket.ticketId);
  window.setTimeout(() => state.freshTickets.delete(ticket.ticketId), 1600);
  return true;
}

export function addActivity(activity) {
  remember(() => addActivity(activity));
  const list = state.agentActivity.get(activity.ticketId) ?? [];
  if (!list.some((a) => a.at === activity.at && a.type === activity.type)) list.push(activity);
  state.agentActivity.set(activity.ticketId, list);
}

export function sortedTickets() {
  return [...state.tickets.values()].sort((a, b) => String(b.createdAt).localeCompare(String(a.createdAt)));
}

const renderers = [];
let renderQueued = false;
/** Registers what redraws the page; `renderAll` runs them once per frame however often it is called. */
export function onRender(renderer) {
  renderers.push(renderer);
}
export function renderAll() {
  if (renderQueued) return;
  renderQueued = true;
  requestAnimationFrame(() => {
    renderQueued = false;
    for (const renderer of renderers) renderer();
  });
}
