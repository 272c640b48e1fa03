/**
 * Worker tiers (PUENTE_WORKER_TIER): a `conversation` process runs only the message road's queues,
 * a `background` one only the background queues, but still drains inline the conversation lanes
 * it opens itself (a campaign's sends) without taking their jobs. Real Redis and BullMQ.
 */
import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { createMailbox, type MailboxHandler } from '../../queues/mailbox.js';
import { startWorkers, type WorkerDefinition, type WorkerTierChoice } from '../../queues/workers.js';
import { createLogger } from '../../src/platform/logging/logger.js';
import { TEST_REDIS_URL, deleteKeys, waitFor } from '../helpers/redis.js';

interface Item {
  id: string;
}

const silent = createLogger({ level: 'silent' });
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const via = (claim: string) => (claim.includes('|inline-') ? 'inline' : 'job');

/** One process's view: a conversation mailbox and plain queue, a background mailbox and plain queue, run at `tier`. */
function processAt(tier: WorkerTierChoice, prefix: string) {
  const redis = new Redis(TEST_REDIS_URL);
  const queues = new Map<string, Queue>();
  const queue = (name: string) => queues.get(name) ?? queues.set(name, new Queue(name, { connection: redis, prefix })).get(name)!;
  const done: string[] = [];
  const mailboxHandler =
    (name: string): MailboxHandler<Item> =>
    async (item, { claim }) => {
      done.push(`${name}:${item.id}:${via(claim)}`);
    };
  const lanes = createMailbox<Item>({ name: 'conv-lanes', redis, queue: queue('conv-lanes'), keyPrefix: prefix });
  const deliveries = createMailbox<Item>({ name: 'bg-deliveries', redis, queue: queue('bg-deliveries'), keyPrefix: prefix });
  const plain = (name: string) => async (job: { data: { id: string } }) => void done.push(`${name}:${job.data.id}:job`);
  const definitions: WorkerDefinition[] = [
    { queue: 'conv-lanes', concurrency: 4, mailbox: lanes, processor: lanes.processor(mailboxHandler('conv-lanes'), silent) },
    { queue: 'conv-receipts', concurrency: 4, processor: plain('conv-receipts') },
    { queue: 'bg-deliveries', tier: 'background', concurrency: 4, mailbox: deliveries, processor: deliveries.processor(mailboxHandler('bg-deliveries'), silent) },
    { queue: 'bg-scores', tier: 'background', concurrency: 4, processor: plain('bg-scores') },
  ];
  const connections: Redis[] = [];
  const running = startWorkers(
    {
      logger: silent,
      keyPrefix: prefix,
      workerRedis: () => {
        const c = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
        connections.push(c);
        return c;
      },
    },
    definitions,
    { lockDuration: 5_000 },
    tier,
  );
  cleanups.push(async () => {
    await running.close();
    await Promise.all([...queues.values()].map((q) => q.close()));
    connections.forEach((c) => c.disconnect());
    redis.disconnect();
  });
  return { running, lanes, deliveries, queue, done };
}

function setup() {
  const prefix = `test-${randomUUID()}`;
  cleanups.push(() => deleteKeys(prefix));
  return prefix;
}

describe('worker tiers', () => {
  it('conversation: runs the road and drains its lanes inline; background queues and mailboxes wait for a background process', async () => {
    const prefix = setup();
    const p = processAt('conversation', prefix);
    expect(p.running.workers.map((w) => w.name).sort()).toEqual(['conv-lanes', 'conv-receipts']);

    await p.lanes.push([{ lane: 'u1', item: { id: 'a' } }]);
    await p.queue('conv-receipts').add('r', { id: 'r1' });
    await p.deliveries.push([{ lane: 'sub1', item: { id: 'd1' } }]);
    await p.queue('bg-scores').add('s', { id: 's1' });
    await waitFor(() => p.done.length === 2, 5_000, 'the conversation work');
    expect(p.done.sort()).toEqual(['conv-lanes:a:inline', 'conv-receipts:r1:job']);

    // Nothing here takes the background work: it is still there, as a drain job and a waiting job.
    await sleep(500);
    expect(p.done).toHaveLength(2);
    expect(await p.queue('bg-scores').getWaitingCount()).toBe(1);
    expect(await p.deliveries.depth('sub1')).toBe(1);

    // A background process picks both up.
    const bg = processAt('background', prefix);
    await waitFor(() => bg.done.length === 2, 5_000, 'the background process took them');
    expect(bg.done.sort()).toEqual(['bg-deliveries:d1:job', 'bg-scores:s1:job']);
  });

  it('background: runs the background queues and drains inline the conversation lanes it opens, but takes none of their jobs', async () => {
    const prefix = setup();
    const p = processAt('background', prefix);
    expect(p.running.workers.map((w) => w.name).sort()).toEqual(['bg-deliveries', 'bg-scores']);

    // A campaign send: pushed here, drained here, at this process's priority.
    await p.lanes.push([
      { lane: 'u2', item: { id: 'c1' } },
      { lane: 'u2', item: { id: 'c2' } },
    ]);
    await p.deliveries.push([{ lane: 'sub2', item: { id: 'd2' } }]);
    await waitFor(() => p.done.length === 3, 5_000, 'the inline drains');
    expect(p.done.sort()).toEqual(['bg-deliveries:d2:inline', 'conv-lanes:c1:inline', 'conv-lanes:c2:inline']);

    // Conversation jobs (a retry, another process's lane) are not taken here.
    await p.queue('conv-receipts').add('r', { id: 'r2' });
    await sleep(500);
    expect(p.done).toHaveLength(3);
    expect(await p.queue('conv-receipts').getWaitingCount()).toBe(1);
  });

  it('all: runs every queue', async () => {
    const prefix = setup();
    const p = processAt('all', prefix);
    expect(p.running.workers.map((w) => w.name).sort()).toEqual(['bg-deliveries', 'bg-scores', 'conv-lanes', 'conv-receipts']);
    await p.queue('conv-receipts').add('r', { id: 'r3' });
    await p.queue('bg-scores').add('s', { id: 's3' });
    await waitFor(() => p.done.length === 2, 5_000, 'both');
    expect(p.done.sort()).toEqual(['bg-scores:s3:job', 'conv-receipts:r3:job']);
  });
});
