import type { Redis } from 'ioredis';
import type { HandoverPort } from '../bot/ports.js';
import type { Bot } from '../bot/runner.js';
import type { Conversations } from '../src/conversations/index.js';
import { LANE_CONCURRENCY } from '../src/conversations/index.js';
import type { HandoverGate } from '../src/conversations/ports.js';
import { createCrmClient } from '../src/crm/crm-client.js';
import type { Config } from '../src/platform/config/index.js';
import type { Logger } from '../src/platform/logging/logger.js';
import type { Metrics } from '../src/platform/metrics/registry.js';
import type { Module } from '../src/platform/module.js';
import type { MongoHandle } from '../src/platform/mongo/connection.js';
import { PUENTE_VERSION } from '../src/platform/version.js';
import { createMailbox, type Mailbox } from '../queues/mailbox.js';
import type { QueueRegistry } from '../queues/registry.js';
import { createCrmRelay, type CrmItem } from './crm-relay.js';
import { createHandoverPort } from './handover-port.js';
import { createBridgeLaneHandlers } from './lane-handlers.js';
import type { BridgeLaneItem } from './lane-items.js';
import { laneHandlers } from '../queues/lanes.js';
import { createBridgeMetrics, type BridgeMetrics } from './metrics.js';
import { bridgeQueues } from './queue-names.js';
import { crmRoutes } from './routes/index.js';
import { reportAgentSendFailures } from './send-failures.js';
import { createTicketStore, type TicketEventDeps, type TicketStore } from './ticket-store.js';
import { createTimers } from './timers.js';

export interface CrmBridge {
  tickets: TicketStore;
  metrics: BridgeMetrics;
  /** What the bot calls to hand a conversation to a person. */
  port: HandoverPort;
  /**
   * The module and the handover gate, once the bot exists: the bridge gives conversations back
   * to it when a ticket closes (and the bot was built with `port`, so it comes second).
   */
  withBot(bot: Bot): { gate: HandoverGate; module: Module };
}

/** The CRM bridge: tickets, the calls to the CRM (ordered per conversation), timers and the CRM-facing routes. */
export function createCrmBridge(deps: {
  config: Config;
  redis: Redis;
  keyPrefix: string;
  queues: QueueRegistry;
  mongo: MongoHandle;
  conversations: Conversations;
  metrics: Metrics;
  logger: Logger;
  /** Records ticket.created/.updated/.closed with each change (outbox); without it none are recorded. */
  ticketEvents?: TicketEventDeps;
}): CrmBridge {
  const { config, conversations } = deps;
  const logger = deps.logger.child({ component: 'crm-bridge' });
  const tickets = createTicketStore(deps.mongo.connection, deps.ticketEvents);
  const metrics = createBridgeMetrics(deps.metrics.registry, tickets);
  const lanes: { push: Mailbox<BridgeLaneItem>['push'] } = conversations.lanes;
  const crmMailbox = createMailbox<CrmItem>({ name: bridgeQueues.crm, redis: deps.redis, queue: deps.queues.get(bridgeQueues.crm), keyPrefix: deps.keyPrefix });
  const timers = createTimers(deps.queues.get(bridgeQueues.timers), lanes);
  const crm = createCrmClient({
    baseUrl: config.CRM_BASE_URL ?? 'http://crm.invalid',
    agentNotificationUrl: config.CRM_AGENT_NOTIFICATION_URL ?? 'http://crm.invalid/api/bot/agent-request',
    botApiToken: config.BOT_API_TOKEN ?? '',
    botSignatureSecret: config.BOT_SIGNATURE_SECRET ?? '',
    userAgent: `Puente/${PUENTE_VERSION}`,
    logger,
    observe: (endpoint, outcome, seconds) => deps.metrics.crmRequests.observe({ endpoint, outcome }, seconds),
  });
  // An agent's message WhatsApp will never deliver is reported to the CRM.
  conversations.outbound.onPermanentFailure(reportAgentSendFailures({ tickets, crm: crmMailbox, logger }));
  const routes = crmRoutes({ config, redis: deps.redis, keyPrefix: deps.keyPrefix, tickets, lanes, log: conversations.log, metrics });

  return {
    tickets,
    metrics,
    port: createHandoverPort({ tickets, lanes, metrics, logger }),
    withBot(bot) {
      const lane = createBridgeLaneHandlers({ config, tickets, crm: crmMailbox, timers, reply: conversations.reply, metrics, logger }, bot);
      const gate: HandoverGate = {
        async findOpen(conversationKey) {
          const ticket = await tickets.findOpen(conversationKey);
          return ticket && { ticketId: ticket.ticketId, take: (event) => lane.gate(event, ticket, event.wamid) };
        },
        async relayLate(event) {
          const ticket = await lane.relayLate(event);
          return ticket ? { ticketId: ticket.ticketId } : undefined;
        },
      };
      const module: Module = {
        name: 'crm-bridge',
        routes,
        laneHandlers: laneHandlers<BridgeLaneItem>(lane.handlers),
        mailboxes: [crmMailbox as Mailbox<never>],
        workers: () => [
          {
            queue: bridgeQueues.crm,
            // Like the other lanes: jobs wait on the CRM, so one per active conversation can run.
            concurrency: LANE_CONCURRENCY,
            mailbox: crmMailbox,
            processor: crmMailbox.processor(createCrmRelay({ crm, tickets, lanes, metrics, logger }), logger, {
              onDeadLetter: () => deps.metrics.deadLetters.inc({ mailbox: 'crm' }),
            }),
          },
          { queue: bridgeQueues.timers, concurrency: 16, processor: timers.processor },
        ],
      };
      return { gate, module };
    },
  };
}
