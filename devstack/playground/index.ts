/**
 * The `/playground` page: a simulated WhatsApp phone next to a simulated CRM agent console, both
 * talking to Puente only through the simulators (devstack/whatsapp-sim, devstack/crm-sim). A Hono
 * app with relative routes, mounted by the dev entry:
 *
 *   GET  /                          the page (public/index.html)
 *   GET  /assets/:name              public/*.css, *.js (ES modules: playground.js imports the rest), favicon.svg
 *   GET  /events                    Server-Sent Events: message | status | ticket | crm
 *   GET  /api/state                 { users, conversations, tickets, customers, agentActivity, links }
 *   POST /api/phones/:waId/messages a UserInput (+ profileName) → whatsapp.userSends
 *   POST /api/phones/:waId/seen     whatsapp.markSeen
 *   POST /api/tickets/:id/take      { agentName? } → crm.take
 *   POST /api/tickets/:id/messages  { type: text, text } | { type: image|document, link, caption?, filename? } → crm.send
 *   POST /api/tickets/:id/resolve   crm.resolve
 *   GET  /api/tickets/:id/log       crm.log (Puente's conversation log of the ticket)
 *
 * Errors: `{ error: { code, message, details? } }`, 400 bad input, 404 unknown ticket, 502 when
 * Puente refused a simulator's call (its message included).
 */
import { EventEmitter } from 'node:events';
import { Hono } from 'hono';
import type { CrmSimulator } from '../crm-sim/index.js';
import type { WhatsAppSimulator } from '../whatsapp-sim/index.js';
import { createAgentActivityLog } from './agent-activity.js';
import { apiRoutes, type PlaygroundLinks } from './api.js';
import { sseRoutes } from './sse.js';
import { staticRoutes } from './static.js';

export type { PlaygroundLinks } from './api.js';
export type { AgentActivity } from './agent-activity.js';

export interface PlaygroundDeps {
  whatsapp: WhatsAppSimulator;
  crm: CrmSimulator;
  links: PlaygroundLinks;
  /** SSE heartbeat period; default 15 s. */
  heartbeatMs?: number;
  /**
   * Aborting it ends every open `/events` stream: an open browser tab otherwise keeps the HTTP
   * server's `close()` waiting on shutdown.
   */
  signal?: AbortSignal;
}

export function createPlayground(deps: PlaygroundDeps): Hono {
  const local = new EventEmitter();
  const activity = createAgentActivityLog(local);
  const app = new Hono();
  app.route('/', staticRoutes());
  app.route('/', sseRoutes({ whatsapp: deps.whatsapp.events, crm: deps.crm.events, local }, { heartbeatMs: deps.heartbeatMs ?? 15_000, ...(deps.signal ? { signal: deps.signal } : {}) }));
  app.route('/', apiRoutes({ whatsapp: deps.whatsapp, crm: deps.crm, links: deps.links, activity }));
  return app;
}
