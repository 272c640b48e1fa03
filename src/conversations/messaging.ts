import type { Redis } from 'ioredis';
import type { Config } from '../platform/config/index.js';
import { createConversationLog, type ConversationLog } from './conversation-log.js';
import { messageModel } from './message-log.js';
import type { MongoHandle } from '../platform/mongo/connection.js';
import type { Logger } from '../platform/logging/logger.js';
import type { Metrics } from '../platform/metrics/registry.js';
import type { GraphClient } from '../whatsapp/graph-client.js';
import { createIngress, type Ingress } from './ingress.js';
import type { LaneItem } from './lane-items.js';
import { createMailbox, type Mailbox, type MailboxHandler } from '../../queues/mailbox.js';
import { queueNames } from '../../queues/names.js';
import { createOutbound, type Outbound, type OutboundItem } from './outbound.js';
import { createPacer } from '../whatsapp/pacer.js';
import type { QueueRegistry } from '../../queues/registry.js';
import { createReplier, type Reply } from './replies.js';
import { statusProcessor } from './statuses.js';
import type { WorkerDefinition } from '../../queues/workers.js';

/** Concurrency per worker process. Lane and send jobs mostly wait on I/O, so many run at once. */
export const LANE_CONCURRENCY = 256;
export const OUTBOUND_CONCURRENCY = 256;
const JANITOR_EVERY_MS = 30_000;

export interface Messaging {
  log: ConversationLog;
  ingress: Ingress;
  /** The conversation lanes (the bridge pushes CRM calls and timers into them too). */
  lanes: Mailbox<LaneItem>;
  outbound: Outbound;
  reply: Reply;
  /** Other mailboxes whose lost drain jobs the janitor must also repair. */
  watch(mailbox: Mailbox<never>): void;
  /** The processors of the message road, with `laneHandler` answering every lane item. */
  workerDefinitions(laneHandler: MailboxHandler<LaneItem>): WorkerDefinition[];
  /** Registers the periodic repair of lanes whose drain job was lost (idempotent). */
  scheduleJanitor(): Promise<void>;
}

/** Wires the message road: ingress → conversation lanes → (bot | CRM) → outbound lanes → Graph API. */
export function createMessaging(deps: {
  config: Config;
  redis: Redis;
  keyPrefix: string;
  queues: QueueRegistry;
  mongo: MongoHandle;
  graph: GraphClient;
  metrics: Metrics;
  logger: Logger;
}): Messaging {
  const { redis, keyPrefix, queues } = deps;
  const log = createConversationLog(messageModel(deps.mongo.connection));
  const lanes = createMailbox<LaneItem>({ name: queueNames.lanes, redis, queue: queues.get('lanes'), keyPrefix });
  const outboundMailbox = createMailbox<OutboundItem>({ name: queueNames.outbound, redis, queue: queues.get('outbound'), keyPrefix });
  const pacer = createPacer({ redis, keyPrefix, mps: deps.config.WHATSAPP_MAX_MPS });
  const outbound = createOutbound({ redis, keyPrefix, mailbox: outboundMailbox, receipts: queues.get('receipts'), log, graph: deps.graph, pacer, metrics: deps.metrics, logger: deps.logger });
  const ingress = createIngress({ redis, keyPrefix, lanes, statusQueue: queues.get('statuses'), metrics: deps.metrics });
  const watched: Mailbox<never>[] = [lanes as Mailbox<never>, outboundMailbox as Mailbox<never>];
  const deadLetter = (mailbox: string) => () => deps.metrics.deadLetters.inc({ mailbox });

  return {
    log,
    ingress,
    lanes,
    outbound,
    reply: createReplier(outbound),
    watch: (mailbox) => void watched.push(mailbox),
    workerDefinitions(laneHandler) {
      const drainLanes = lanes.processor(laneHandler, deps.logger, { onDeadLetter: deadLetter('lanes') });
      const drainOutbound = outboundMailbox.processor(outbound.handle, deps.logger, {
        onDeadLetter: (item, _lane, error) => {
          deadLetter('outbound')();
          outbound.onDeadLetter(item as OutboundItem, error);
        },
      });
      return [
        {
          queue: queueNames.lanes,
          concurrency: LANE_CONCURRENCY,
          mailbox: lanes,
          processor: async (job, token) => {
            if (job.name !== 'janitor') return drainLanes(job, token);
            const repaired = await Promise.all(watched.map((m) => m.repairOwners()));
            return Object.fromEntries(watched.map((m, i) => [m.name, repaired[i]]));
          },
        },
        { queue: queueNames.outbound, concurrency: OUTBOUND_CONCURRENCY, processor: drainOutbound, mailbox: outboundMailbox },
        { queue: queueNames.receipts, concurrency: 64, processor: outbound.sendReceipt },
        { queue: queueNames.statuses, concurrency: 32, processor: statusProcessor(log) },
      ];
    },
    async scheduleJanitor() {
      await queues.get('lanes').upsertJobScheduler('mailbox-janitor', { every: JANITOR_EVERY_MS }, { name: 'janitor', opts: { removeOnComplete: true, removeOnFail: 100 } });
    },
  };
}
