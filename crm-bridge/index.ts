import type { Redis } from 'ioredis';
import type { HandoverPort } from '../bot/ports.js';
import type { Bot } from '../bot/runner.js';
import type { Config } from '../src/platform/config/index.js';
import type { MongoHandle } from '../src/platform/mongo/connection.js';
import type { Logger } from '../src/platform/logging/logger.js';
import type { Metrics } from '../src/platform/metrics/registry.js';
import { PUENTE_VERSION } from '../src/platform/version.js';
import { createMailbox, type Mailbox } from '../queues/mailbox.js';
import { LANE_CONCURRENCY, type Messaging } from '../src/conversations/messaging.js';
import { queueNames } from '../queues/names.js';
import type { QueueRegistry } from '../queues/registry.js';
import type { WorkerDefinition } from '../queues/workers.js';
import { createCrmClient } from '../src/crm/crm-client.js';
import { createCrmRelay, type CrmItem } from './crm-relay.js';
import { createHandoverPort } from './handover-port.js';
import { createBridgeLaneHandlers, type BridgeLaneHandlers } from './lane-handlers.js';
import { createBridgeMetrics, type BridgeMetrics } from './metrics.js';
import type { CrmRouteDeps } from './routes/context.js';
import { createTicketStore, type TicketStore } from './ticket-store.js';
import { createTimers } from './timers.js';

export interface Bridge {
  tickets: TicketStore;
  metrics: BridgeMetrics;
  /** What the bot calls to hand a conversation to a person. */
  port: HandoverPort;
  routeDeps: CrmRouteDeps;
  laneHandlers(bot: Bot): BridgeLaneHandlers;
  workerDefinitions(): WorkerDefinition[];
}

/** The CRM bridge: tickets, the calls to the CRM (ordered per conversation), timers and the CRM-facing routes' dependencies. */
export function createBridge(deps: {
  config: Config;
  redis: Redis;
  keyPrefix: string;
  queues: QueueRegistry;
  mongo: MongoHandle;
  messaging: Messaging;
  metrics: Metrics;
  logger: Logger;
}): Bridge {
  const { config, messaging } = deps;
  const logger = deps.logger.child({ component: 'crm-bridge' });
  const tickets = createTicketStore(deps.mongo.connection);
  const metrics = createBridgeMetrics(deps.metrics.registry, tickets);
  const crmMailbox: Mailbox<CrmItem> = createMailbox<CrmItem>({ name: queueNames.crm, redis: deps.redis, queue: deps.queues.get('crm'), keyPrefix: deps.keyPrefix });
  messaging.watch(crmMailbox as Mailbox<never>);
  const timers = createTimers(deps.queues.get('timers'), messaging.lanes);
  const crm = createCrmClient({
    baseUrl: config.CRM_BASE_URL ?? 'http://crm.invalid',
    agentNotificationUrl: config.CRM_AGENT_NOTIFICATION_URL ?? 'http://crm.invalid/api/bot/agent-request',
    botApiToken: config.BOT_API_TOKEN ?? '',
    botSignatureSecret: config.BOT_SIGNATURE_SECRET ?? '',
    userAgent: `Puente/${PUENTE_VERSION}`,
    logger,
  });
  return {
    tickets,
    metrics,
    port: createHandoverPort({ tickets, lanes: messaging.lanes, metrics, logger }),
    routeDeps: { config, redis: deps.redis, keyPrefix: deps.keyPrefix, tickets, lanes: messaging.lanes, log: messaging.log, metrics },
    laneHandlers: (bot) => createBridgeLaneHandlers({ config, tickets, crm: crmMailbox, timers, reply: messaging.reply, metrics, logger }, bot),
    workerDefinitions: () => [
      {
        queue: queueNames.crm,
        // Like the other lanes: jobs wait on the CRM, so one per active conversation can run.
        concurrency: LANE_CONCURRENCY,
        mailbox: crmMailbox,
        processor: crmMailbox.processor(createCrmRelay({ crm, tickets, lanes: messaging.lanes, metrics, logger }), logger, {
          onDeadLetter: () => deps.metrics.deadLetters.inc({ mailbox: 'crm' }),
        }),
      },
      { queue: queueNames.timers, concurrency: 16, processor: timers.processor },
    ],
  };
}
