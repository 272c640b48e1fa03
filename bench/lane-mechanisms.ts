/**
 * Compares three ways of running per-user ordered work on BullMQ, with a handler that waits like a
 * Graph API send (150 ms): per-user mailboxes (what Puente uses), hash-partitioned queues with one
 * job at a time each, and one plain queue at high concurrency. Prints throughput, latency from
 * enqueue to handled, and how many items ran out of order for their user.
 *
 *   npx tsx bench/lane-mechanisms.ts [--users 400] [--per-user 5] [--partitions 64] [--concurrency 256]
 *
 * Uses the Redis at REDIS_URL (default 127.0.0.1:6379) under a throwaway key prefix.
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { Queue, Worker, type Processor } from 'bullmq';
import { Redis } from 'ioredis';
import { createMailbox } from '../queues/mailbox.js';
import { createLogger } from '../src/platform/logging/logger.js';

const { values } = parseArgs({
  options: {
    users: { type: 'string', default: '400' },
    'per-user': { type: 'string', default: '5' },
    partitions: { type: 'string', default: '64' },
    concurrency: { type: 'string', default: '256' },
    'handler-ms': { type: 'string', default: '150' },
    jitter: { type: 'string', default: '0.5' },
  },
});
const USERS = Number(values.users);
const PER_USER = Number(values['per-user']);
const PARTITIONS = Number(values.partitions);
const CONCURRENCY = Number(values.concurrency);
const HANDLER_MS = Number(values['handler-ms']);
const JITTER = Number(values.jitter);
/** Graph API latency varies; the spread is what makes a plain concurrent queue reorder. */
const handlerDelay = () => HANDLER_MS * (1 - JITTER / 2 + Math.random() * JITTER);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const TIMEOUT_MS = 120_000;

interface Item {
  id: string;
  user: number;
  n: number;
  sentAt: number;
}

interface Result {
  name: string;
  seconds: number;
  latencies: number[];
  outOfOrder: number;
  lost: number;
}

function tracker(name: string) {
  const next = new Map<number, number>();
  const latencies: number[] = [];
  let outOfOrder = 0;
  return {
    record(item: Item) {
      const expected = next.get(item.user) ?? 0;
      if (item.n !== expected) outOfOrder++;
      next.set(item.user, item.n + 1);
      latencies.push(Date.now() - item.sentAt);
    },
    count: () => latencies.length,
    result: (seconds: number): Result => ({ name, seconds, latencies, outOfOrder, lost: USERS * PER_USER - latencies.length }),
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function interleaved(): Item[] {
  const items: Item[] = [];
  for (let n = 0; n < PER_USER; n++) for (let user = 0; user < USERS; user++) items.push({ id: `${user}-${n}`, user, n, sentAt: 0 });
  return items;
}

async function waitDone(count: () => number, started: number): Promise<number> {
  while (count() < USERS * PER_USER && Date.now() - started < TIMEOUT_MS) await sleep(20);
  return (Date.now() - started) / 1000;
}

async function runMailbox(prefix: string): Promise<Result> {
  const redis = new Redis(REDIS_URL);
  const queue = new Queue('mb', { connection: redis, prefix });
  const mailbox = createMailbox<Item>({ name: 'mb', redis, queue, keyPrefix: prefix });
  const t = tracker(`mailboxes (concurrency ${CONCURRENCY})`);
  const worker = new Worker(
    'mb',
    mailbox.processor(async (item) => {
      await sleep(handlerDelay());
      t.record(item);
    }, createLogger({ level: 'silent' })),
    { connection: new Redis(REDIS_URL, { maxRetriesPerRequest: null }), prefix, concurrency: CONCURRENCY },
  );
  const started = Date.now();
  const items = interleaved();
  for (let i = 0; i < items.length; i += 200) {
    const batch = items.slice(i, i + 200).map((item) => ({ lane: `u${item.user}`, item: { ...item, sentAt: Date.now() } }));
    await mailbox.push(batch);
  }
  const seconds = await waitDone(t.count, started);
  await worker.close(true);
  await queue.close();
  redis.disconnect();
  return t.result(seconds);
}

async function runQueues(prefix: string, partitions: number, concurrency: number, label: string): Promise<Result> {
  const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const t = tracker(label);
  const processor: Processor<Item> = async (job) => {
    await sleep(handlerDelay());
    t.record(job.data);
  };
  const names = Array.from({ length: partitions }, (_, i) => `p${i}`);
  const queues = names.map((name) => new Queue<Item>(name, { connection, prefix }));
  const workers = names.map((name) => new Worker<Item>(name, processor, { connection: new Redis(REDIS_URL, { maxRetriesPerRequest: null }), prefix, concurrency }));
  const started = Date.now();
  const items = interleaved();
  for (let i = 0; i < items.length; i += 200) {
    await Promise.all(items.slice(i, i + 200).map((item) => queues[item.user % partitions]!.add('x', { ...item, sentAt: Date.now() }, { removeOnComplete: true })));
  }
  const seconds = await waitDone(t.count, started);
  await Promise.all(workers.map((w) => w.close(true)));
  await Promise.all(queues.map((q) => q.close()));
  connection.disconnect();
  return t.result(seconds);
}

function pct(sorted: number[], p: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function cleanup(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length) await redis.del(...keys);
  } while (cursor !== '0');
  redis.disconnect();
}

const results: Result[] = [];
for (const run of [
  (p: string) => runMailbox(p),
  (p: string) => runQueues(p, PARTITIONS, 1, `${PARTITIONS} partitioned queues, 1 job each`),
  (p: string) => runQueues(p, 1, CONCURRENCY, `1 queue, concurrency ${CONCURRENCY}`),
]) {
  const prefix = `bench-lanes-${randomUUID()}`;
  try {
    results.push(await run(prefix));
  } finally {
    await cleanup(prefix);
  }
}

console.log(`\n${USERS} users × ${PER_USER} messages, interleaved; handler ${HANDLER_MS} ms ± ${(JITTER * 50).toFixed(0)}%; node ${process.version}\n`);
console.log('| mechanism | items/s | p50 ms | p99 ms | out of order | lost |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
for (const r of results) {
  const sorted = [...r.latencies].sort((a, b) => a - b);
  const rate = Math.round(r.latencies.length / r.seconds);
  console.log(`| ${r.name} | ${rate} | ${pct(sorted, 50)} | ${pct(sorted, 99)} | ${r.outOfOrder} | ${r.lost} |`);
}
process.exit(0);
