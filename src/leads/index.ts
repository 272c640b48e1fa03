import type { Queue } from 'bullmq';
import type { Connection } from 'mongoose';
import type { LeadSink } from '../../bot/ports.js';
import type { ContactStore } from '../contacts/store.js';
import type { RecordWhatsAppContact } from '../contacts/whatsapp-contact.js';
import type { InboundObserver, StatusObserver } from '../conversations/ports.js';
import type { EventRecorder } from '../platform/events/outbox.js';
import type { Logger } from '../platform/logging/logger.js';
import type { Module } from '../platform/module.js';
import { leadActivityObservers } from './activity-observers.js';
import { createBotLeadSink } from './bot-sink.js';
import { leadContactListener } from './contact-sync.js';
import type { LeadActivitySources } from './ports.js';
import { createRescore, type Rescore } from './rescore.js';
import { leadRoutes } from './routes/index.js';
import { createScoreQueue, leadQueues, type ScoreQueue } from './score-queue.js';
import { createLeadStore, type LeadStore } from './store.js';
import { createLeadTasks } from './tasks/index.js';

export { leadQueues } from './score-queue.js';

export interface LeadsModule {
  module: Module;
  /** Where the bot's plans option creates or updates the user's lead. */
  sink: LeadSink;
  /** WhatsApp activity that changes a lead's score, for the conversation pipeline's observer ports. */
  observers: { inbound: InboundObserver; status: StatusObserver };
  leads: LeadStore;
  rescore: Rescore;
  scores: ScoreQueue;
}

/**
 * Leads (seed 003) with their follow-up tasks (seed 001) and hybrid scores: `/api/v1/leads*`,
 * `/api/v1/tasks*` and `/api/v1/scoring/rules` in the `v1` group, the debounced rescoring queue,
 * the bot's lead sink, and the observers that rescore a lead when its contact chats on WhatsApp.
 */
export function createLeadsModule(deps: {
  connection: Connection;
  queue: (name: string) => Queue;
  logger: Logger;
  contacts: ContactStore;
  recordWhatsAppContact: RecordWhatsAppContact;
  sources: LeadActivitySources;
  /** LEAD_SCORE_DEBOUNCE_MS. */
  debounceMs?: number;
  /** Records lead events with each change (outbox). */
  events?: EventRecorder;
}): LeadsModule {
  const leads = createLeadStore(deps.connection, deps.events);
  const tasks = createLeadTasks({ connection: deps.connection, leadExists: (orgId, id) => leads.exists(orgId, id) });
  const rescore = createRescore({ leads, contacts: deps.contacts, sources: deps.sources, logger: deps.logger });
  const scores = createScoreQueue({ queue: deps.queue(leadQueues.scores), rescore, leads, logger: deps.logger, ...(deps.debounceMs ? { debounceMs: deps.debounceMs } : {}) });
  deps.contacts.listen(leadContactListener({ leads, contacts: deps.contacts, deleteTasks: (orgId, ids) => tasks.store.deleteForLeads(orgId, ids) }));
  const observers = leadActivityObservers({ leads, scores, orgForNumber: deps.sources.orgForNumber });
  const sink = createBotLeadSink({ leads, contacts: deps.contacts, recordWhatsAppContact: deps.recordWhatsAppContact, orgForNumber: deps.sources.orgForNumber, scores });
  return {
    module: {
      name: 'leads',
      routes: leadRoutes({ leads, contacts: deps.contacts, rescore, scores }, [tasks.routes]),
      workers: () => [{ queue: leadQueues.scores, tier: 'background', concurrency: 8, processor: scores.processor }],
    },
    sink,
    observers,
    leads,
    rescore,
    scores,
  };
}
