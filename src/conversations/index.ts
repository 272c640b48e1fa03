import type { Redis } from 'ioredis';
import type { LaneItemBase } from '../../queues/lanes.js';
import { createMailbox, type Mailbox } from '../../queues/mailbox.js';
import type { QueueRegistry } from '../../queues/registry.js';
import type { Config } from '../platform/config/index.js';
import type { Logger } from '../platform/logging/logger.js';
import type { Metrics } from '../platform/metrics/registry.js';
import type { Module } from '../platform/module.js';
import type { MongoHandle } from '../platform/mongo/connection.js';
import type { GraphClient } from '../whatsapp/graph-client.js';
import { createPacer } from '../whatsapp/pacer.js';
import { createConversationLog, type ConversationLog, type MessageEventDeps } from './conversation-log.js';
import { createConversationTracker, type ConversationTracker } from './conversation-tracker.js';
import { createInboundTurn } from './inbound-turn.js';
import { createIngress, type Ingress } from './ingress.js';
import { messageModel } from './message-log.js';
import { createOutbound, type Outbound, type OutboundItem } from './outbound.js';
import type { HandoverGate, InboundInterceptor, InboundObserver, Responder, StatusObserver } from './ports.js';
import { conversationQueues } from './queue-names.js';
import { createReplier, type Reply } from './replies.js';
import { registerWebhook } from './routes/webhook.js';
import { statusProcessor } from './statuses.js';

/** Concurrency per worker process. Lane and send jobs mostly wait on I/O, so many run at once. */
export const LANE_CONCURRENCY = 256;
export const OUTBOUND_CONCURRENCY = 256;
const JANITOR_EVERY_MS = 30_000;

/** The conversation pipeline's services, which the other modules use. */
export interface Conversations {
  log: ConversationLog;
  ingress: Ingress;
  /** The conversation lanes (other modules push their own lane items into them too). */
  lanes: Mailbox<LaneItemBase>;
  outbound: Outbound;
  reply: Reply;
  /** Which conversation is open per user and number (conversation.started / .ended); its idle sweep runs with the janitor. */
  tracker: ConversationTracker;
  /** The module, once the ports it asks are known: the handover gate (CRM bridge) and the responder (bot). */
  module(ports: { gate: HandoverGate; responder: Responder; observers?: InboundObserver[]; statusObservers?: StatusObserver[]; interceptors?: InboundInterceptor[] }): Module;
  /** Registers the periodic repair of lanes whose drain job was lost (idempotent). */
  scheduleJanitor(): Promise<void>;
}

/** The message road: webhook → ingress → conversation lanes → (bot | CRM) → outbound lanes → Graph API. */
export function createConversations(deps: {
  config: Config;
  redis: Redis;
  keyPrefix: string;
  queues: QueueRegistry;
  mongo: MongoHandle;
  graph: GraphClient;
  metrics: Metrics;
  logger: Logger;
  /** Records message events with each log write (outbox); without it none are recorded. */
  messageEvents?: MessageEventDeps;
}): Conversations {
  const { redis, keyPrefix, queues } = deps;
  const log = createConversationLog(messageModel(deps.mongo.connection), deps.messageEvents);
  const lanes = createMailbox<LaneItemBase>({ name: conversationQueues.lanes, redis, queue: queues.get(conversationQueues.lanes), keyPrefix });
  const outboundMailbox = createMailbox<OutboundItem>({ name: conversationQueues.outbound, redis, queue: queues.get(conversationQueues.outbound), keyPrefix });
  const pacer = createPacer({ redis, keyPrefix, mps: deps.config.WHATSAPP_MAX_MPS });
  const outbound = createOutbound({ redis, keyPrefix, mailbox: outboundMailbox, receipts: queues.get(conversationQueues.receipts), log, graph: deps.graph, pacer, metrics: deps.metrics, logger: deps.logger });
  const ingress = createIngress({ redis, keyPrefix, lanes, statusQueue: queues.get(conversationQueues.statuses), metrics: deps.metrics });
  const reply = createReplier(outbound);
  const tracker = createConversationTracker({ redis, keyPrefix, idleSeconds: deps.config.SESSION_TTL_SECONDS, log, lanes, logger: deps.logger });
  const deadLetter = (mailbox: string) => () => deps.metrics.deadLetters.inc({ mailbox });

  return {
    log,
    ingress,
    lanes,
    outbound,
    reply,
    tracker,
    module: ({ gate, responder, observers, statusObservers, interceptors }) => ({
      name: 'conversations',
      routes: { meta: (group) => registerWebhook(group, { ingress }) },
      laneHandlers: {
        ...createInboundTurn({ log, outbound, reply, gate, responder, logger: deps.logger, conversations: tracker, ...(observers ? { observers } : {}), ...(interceptors ? { interceptors } : {}) }),
        ...tracker.laneHandlers(gate),
      },
      mailboxes: [lanes as Mailbox<never>, outboundMailbox as Mailbox<never>],
      workers({ laneHandler, mailboxes }) {
        const drainLanes = lanes.processor(laneHandler, deps.logger, { onDeadLetter: deadLetter('lanes') });
        const drainOutbound = outboundMailbox.processor(outbound.handle, deps.logger, {
          onDeadLetter: (item, _lane, error) => {
            deadLetter('outbound')();
            outbound.onDeadLetter(item as OutboundItem, error);
          },
        });
        return [
          {
            queue: conversationQueues.lanes,
            concurrency: LANE_CONCURRENCY,
            mailbox: lanes,
            processor: async (job, token) => {
              if (job.name !== 'janitor') return drainLanes(job, token);
              // The janitor rides on the lanes queue, repairs every module's mailboxes and hands idle conversations to their lanes.
              const [repaired, idle] = await Promise.all([Promise.all(mailboxes.map((m) => m.repairOwners())), tracker.sweep()]);
              return { ...Object.fromEntries(mailboxes.map((m, i) => [m.name, repaired[i]])), idleConversations: idle };
            },
          },
          { queue: conversationQueues.outbound, concurrency: OUTBOUND_CONCURRENCY, processor: drainOutbound, mailbox: outboundMailbox },
          { queue: conversationQueues.receipts, concurrency: 64, processor: outbound.sendReceipt },
          { queue: conversationQueues.statuses, concurrency: 32, processor: statusProcessor(log, statusObservers, deps.logger, deps.metrics) },
        ];
      },
    }),
    async scheduleJanitor() {
      await queues.get(conversationQueues.lanes).upsertJobScheduler('mailbox-janitor', { every: JANITOR_EVERY_MS }, { name: 'janitor', opts: { removeOnComplete: true, removeOnFail: 100 } });
    },
  };
}
