import type { Redis } from 'ioredis';
import { createLaneDispatcher, type LaneItemBase } from '../../queues/lanes.js';
import type { Mailbox, MailboxHandler } from '../../queues/mailbox.js';
import { createQueueRegistry, type QueueRegistry } from '../../queues/registry.js';
import type { WorkerDefinition } from '../../queues/workers.js';
import type { Conversations } from '../conversations/index.js';
import type { Config } from '../platform/config/index.js';
import { createLogger, type Logger } from '../platform/logging/logger.js';
import { createMetrics, type Metrics } from '../platform/metrics/registry.js';
import type { Module } from '../platform/module.js';
import { connectMongo, type MongoHandle } from '../platform/mongo/connection.js';
import { createCommandRedis, createWorkerRedis, waitUntilReady } from '../platform/redis/connection.js';
import { PUENTE_VERSION } from '../platform/version.js';
import { createGraphClient, type GraphClient } from '../whatsapp/graph-client.js';
import { registerQueueGauges } from '../../queues/metrics.js';
import type { CrmBridge } from '../../crm-bridge/index.js';
import type { Bot } from '../../bot/runner.js';
import type { ApiKeysModule } from '../api-keys/index.js';
import { createRateLimiter, type RateLimiter } from '../platform/http/rate-limit.js';
import { createModules } from './modules.js';

/** Each organization's budget on the business API. */
export const API_REQUESTS_PER_MINUTE = 1_000;

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
  /** Every feature module: the composition root mounts their routes and runs their workers. */
  modules: Module[];
  /** The message road: ingress, lanes, outbound sends, conversation log. */
  conversations: Conversations;
  /** Handover tickets, CRM calls and timers. */
  bridge: CrmBridge;
  bot: Bot;
  /** Organizations and API keys; the `v1` and `admin` route groups authenticate through it. */
  apiKeys: ApiKeysModule;
  /** The business API's budget per organization (1,000 requests a minute, shared by every process). */
  apiRateLimiter: RateLimiter;
  /** What every conversation-lane item runs through: the modules' lane handlers, by item kind. */
  laneHandler: MailboxHandler<LaneItemBase>;
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
  // BullMQ defines its ~60 scripts on the connection its Queues use, and with auto-pipelining ioredis
  // copies every defined script onto each pipeline it builds (once per event-loop turn): on the
  // connection every mailbox script and GET of the message road goes through, that cost ~80 µs of
  // CPU per flush (measured: 207 against 127 µs per sequential GET). The Queues get their own.
  const queueRedis = createCommandRedis(redisUrl, `puente:${config.PUENTE_ROLE}:queues`);
  queueRedis.on('error', (err) => logger.warn({ err }, 'redis queue connection error'));
  try {
    await waitUntilReady(queueRedis);
  } catch (err) {
    queueRedis.disconnect();
    redis.disconnect();
    await mongo.close();
    throw err;
  }
  const queues = createQueueRegistry(queueRedis, keyPrefix, logger);
  const metrics = createMetrics();
  const graph = createGraphClient({
    apiUrl: config.WHATSAPP_API_URL,
    apiVersion: config.WHATSAPP_API_VERSION,
    phoneNumberId: config.WHATSAPP_PHONE_NUMBER_ID ?? '',
    accessToken: config.WHATSAPP_ACCESS_TOKEN ?? '',
    userAgent: `Puente/${PUENTE_VERSION}`,
    observe: (operation, outcome, seconds) => metrics.graphRequests.observe({ operation, outcome }, seconds),
  });
  const modules = createModules({ config, logger, metrics, redis, mongo, queues, keyPrefix }, graph);
  registerQueueGauges(metrics.registry, { queues, mailboxes: () => modules.list.flatMap((m) => m.mailboxes ?? []) });
  try {
    // Every business document belongs to an organization: the one owning the configured number must exist before any request or job.
    await modules.apiKeys.ensureDefaultOrg();
  } catch (err) {
    await queues.close();
    queueRedis.disconnect();
    redis.disconnect();
    await mongo.close();
    graph.close();
    throw err;
  }
  return {
    config,
    logger,
    metrics,
    graph,
    modules: modules.list,
    conversations: modules.conversations,
    bridge: modules.bridge,
    bot: modules.bot.bot,
    apiKeys: modules.apiKeys,
    apiRateLimiter: createRateLimiter({ redis, keyPrefix, limit: API_REQUESTS_PER_MINUTE, windowMs: 60_000 }),
    laneHandler: createLaneDispatcher(modules.list),
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
      await queueRedis.quit().catch(() => queueRedis.disconnect());
      await Promise.allSettled(workerConnections.map((c) => c.quit()));
      await redis.quit().catch(() => redis.disconnect());
      await mongo.close();
      graph.close();
    },
  };
}

/** The processors a worker process runs: every module's, with the merged lane handler. */
export function workerDefinitions(deps: Pick<Deps, 'modules' | 'laneHandler'>): WorkerDefinition[] {
  const mailboxes: Mailbox<never>[] = deps.modules.flatMap((m) => m.mailboxes ?? []);
  return deps.modules.flatMap((m) => m.workers?.({ laneHandler: deps.laneHandler, mailboxes }) ?? []);
}
