import type { Redis } from 'ioredis';
import type { Config } from '../platform/config/index.js';
import { createLogger, type Logger } from '../platform/logging/logger.js';
import { createCommandRedis, createWorkerRedis, waitUntilReady } from '../platform/redis/connection.js';
import { connectMongo, type MongoHandle } from '../platform/mongo/connection.js';
import { createMetrics, type Metrics } from '../platform/metrics/registry.js';
import { createQueueRegistry, type QueueRegistry } from '../../queues/registry.js';
import { createMessaging, type Messaging } from '../conversations/messaging.js';
import { createLaneHandler } from '../conversations/lane-handler.js';
import type { LaneItem } from '../conversations/lane-items.js';
import type { MailboxHandler } from '../../queues/mailbox.js';
import { createBridge, type Bridge } from '../../crm-bridge/index.js';
import { createAuthLock, createBot, createCustomerLookup, createSessionStore, loadPlansCatalog, type Bot } from '../../bot/index.js';
import { createLeadSink } from '../leads/lead-sink.js';
import { createGraphClient, type GraphClient } from '../whatsapp/graph-client.js';
import { PUENTE_VERSION } from '../platform/version.js';

export interface Deps {
  config: Config;
  logger: Logger;
  metrics: Metrics;
  /** Commands and queue producers; fails fast while Redis is down. */
  redis: Redis;
  /** Opens a blocking-safe connection for a BullMQ Worker (each worker gets its own). */
  workerRedis(name: string): Redis;
  mongo: MongoHandle;
  queues: QueueRegistry;
  /** WhatsApp Cloud API client (default sender WHATSAPP_PHONE_NUMBER_ID; each send may name another). */
  graph: GraphClient;
  /** The message road: ingress, lanes, outbound sends, conversation log. */
  messaging: Messaging;
  /** Handover tickets, CRM calls and timers. */
  bridge: Bridge;
  bot: Bot;
  /** What every conversation-lane item runs through: the handover gate, the bot, the bridge. */
  laneHandler: MailboxHandler<LaneItem>;
  /** Prefix for every Redis key Puente writes (BullMQ and its own keys), so tests can isolate themselves. */
  keyPrefix: string;
  close(): Promise<void>;
}

export interface DepsOptions {
  logger?: Logger;
  /** Namespace for Redis keys and queues; tests pass a unique one. */
  keyPrefix?: string;
  pretty?: boolean;
}

/**
 * The composition root: builds every long-lived object once and hands back one `close()`.
 * Nothing else opens connections.
 */
export async function createDeps(config: Config, options: DepsOptions = {}): Promise<Deps> {
  if (!config.REDIS_URL) throw new Error('REDIS_URL is required to build the dependencies');
  if (!config.MONGODB_URI) throw new Error('MONGODB_URI is required to build the dependencies');
  const redisUrl = config.REDIS_URL;
  const logger = options.logger ?? createLogger({ level: config.LOG_LEVEL, pretty: options.pretty ?? false });
  const keyPrefix = options.keyPrefix ?? 'puente';
  const redis = createCommandRedis(redisUrl, `puente:${config.PUENTE_ROLE}:cmd`);
  redis.on('error', (err) => logger.warn({ err }, 'redis connection error'));
  const workerConnections: Redis[] = [];
  let mongo: MongoHandle;
  try {
    await waitUntilReady(redis);
    mongo = await connectMongo(config.MONGODB_URI);
  } catch (err) {
    redis.disconnect();
    throw err;
  }
  const queues = createQueueRegistry(redis, keyPrefix, logger);
  const metrics = createMetrics();
  const graph = createGraphClient({
    apiUrl: config.WHATSAPP_API_URL,
    apiVersion: config.WHATSAPP_API_VERSION,
    phoneNumberId: config.WHATSAPP_PHONE_NUMBER_ID ?? '',
    accessToken: config.WHATSAPP_ACCESS_TOKEN ?? '',
    userAgent: `Puente/${PUENTE_VERSION}`,
  });
  const messaging = createMessaging({ config, redis, keyPrefix, queues, mongo, graph, metrics, logger });
  const bridge = createBridge({ config, redis, keyPrefix, queues, mongo, messaging, metrics, logger });
  const bot = createBot({
    sessions: createSessionStore({ redis, keyPrefix, ttlSeconds: config.SESSION_TTL_SECONDS }),
    authLock: createAuthLock({ redis, keyPrefix }),
    lookup: createCustomerLookup({
      crmBaseUrl: config.CRM_BASE_URL ?? 'http://crm.invalid',
      botApiToken: config.BOT_API_TOKEN ?? '',
      botSignatureSecret: config.BOT_SIGNATURE_SECRET ?? '',
      userAgent: `Puente/${PUENTE_VERSION}`,
      logger,
    }),
    // Validated at start-up: a broken catalog stops the process instead of a conversation.
    plans: loadPlansCatalog(),
    emergencyPhone: config.EMERGENCY_PHONE,
    handover: bridge.port,
    leads: createLeadSink(mongo.connection),
    logger,
  });
  const laneHandler = createLaneHandler({ log: messaging.log, outbound: messaging.outbound, reply: messaging.reply, tickets: bridge.tickets, bot, bridge: bridge.laneHandlers(bot) });
  return {
    config,
    logger,
    metrics,
    graph,
    messaging,
    bridge,
    bot,
    laneHandler,
    redis,
    workerRedis(name) {
      const connection = createWorkerRedis(redisUrl, `puente:${name}`);
      connection.on('error', (err) => logger.warn({ err, connection: name }, 'redis worker connection error'));
      workerConnections.push(connection);
      return connection;
    },
    mongo,
    queues,
    keyPrefix,
    async close() {
      await queues.close();
      await Promise.allSettled(workerConnections.map((c) => c.quit()));
      await redis.quit().catch(() => redis.disconnect());
      await mongo.close();
      graph.close();
    },
  };
}
