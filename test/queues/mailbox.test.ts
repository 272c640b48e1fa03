import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { createMailbox, type InlineDrainOptions, type MailboxHandler } from '../../queues/mailbox.js';
import { createLogger } from '../../src/platform/logging/logger.js';
import { TEST_REDIS_URL, deleteKeys, recordCommands, waitFor } from '../helpers/redis.js';

interface Item {
  id: string;
  n: number;
}

const silent = createLogger({ level: 'silent' });
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});


function setup(name = 'mbtest') {
  const prefix = `test-${randomUUID()}`;
  const redis = new Redis(TEST_REDIS_URL);
  const queue = new Queue(name, { connection: redis, prefix });
  const mailbox = createMailbox<Item>({ name, redis, queue, keyPrefix: prefix });
  const workers: Worker[] = [];
  const startWorker = (handler: MailboxHandler<Item>, concurrency = 20, options = {}) => {
    const worker = new Worker(name, mailbox.processor(handler, silent, options), {
      connection: new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null }),
      prefix,
      concurrency,
    });
    workers.push(worker);
    return worker;
  };
  /** Registers `handler` and drains lanes opened by this test's pushes inline (no Worker needed). */
  const drainInline = (handler: MailboxHandler<Item>, inline: Partial<InlineDrainOptions> = {}, options = {}) => {
    mailbox.processor(handler, silent, options);
    mailbox.startInline({ safetyMs: 5_000, maxConcurrent: 10, ...inline });
  };
  /** Another instance of the same mailbox, as another process has it (own connection and Queue). */
  const peer = () => {
    const peerRedis = new Redis(TEST_REDIS_URL);
    const peerQueue = new Queue(name, { connection: peerRedis, prefix });
    const other = createMailbox<Item>({ name, redis: peerRedis, queue: peerQueue, keyPrefix: prefix });
    cleanups.push(async () => {
      await other.stopInline();
      await peerQueue.close();
      peerRedis.disconnect();
    });
    return Object.assign(other, { redis: peerRedis });
  };
  cleanups.push(async () => {
    await mailbox.stopInline();
    await Promise.all(workers.map((w) => w.close(true)));
    await queue.close();
    await deleteKeys(prefix);
    redis.disconnect();
  });
  return { prefix, redis, queue, mailbox, startWorker, drainInline, peer };
}

function interleaved(lanes: number, perLane: number): { lane: string; item: Item }[] {
  const out: { lane: string; item: Item }[] = [];
  for (let n = 0; n < perLane; n++) for (let l = 0; l < lanes; l++) out.push({ lane: `lane${l}`, item: { id: `l${l}-${n}`, n } });
  return out;
}

describe('mailbox lanes', () => {
  it('processes each lane in order, one item at a time, while lanes run in parallel across two workers', async () => {
    const { mailbox, startWorker } = setup();
    const seen = new Map<string, number[]>();
    const inFlight = new Map<string, number>();
    let maxSameLane = 0;
    let concurrent = 0;
    let maxConcurrent = 0;
    const handler: MailboxHandler<Item> = async (item, { lane }) => {
      inFlight.set(lane, (inFlight.get(lane) ?? 0) + 1);
      maxSameLane = Math.max(maxSameLane, inFlight.get(lane)!);
      maxConcurrent = Math.max(maxConcurrent, ++concurrent);
      await new Promise((r) => setTimeout(r, Math.random() * 4));
      seen.set(lane, [...(seen.get(lane) ?? []), item.n]);
      inFlight.set(lane, inFlight.get(lane)! - 1);
      concurrent--;
    };
    startWorker(handler);
    startWorker(handler);
    const requests = interleaved(40, 15);
    for (let i = 0; i < requests.length; i += 50) await mailbox.push(requests.slice(i, i + 50));
    await waitFor(() => [...seen.values()].reduce((a, s) => a + s.length, 0) === requests.length, 20_000);
    for (const list of seen.values()) expect(list).toEqual([...Array(15).keys()]);
    expect(maxSameLane).toBe(1);
    expect(maxConcurrent).toBeGreaterThan(5);
  });

  it('accepts a deduplicated item once even when pushed concurrently', async () => {
    const { mailbox } = setup();
    const results = await Promise.all(
      Array.from({ length: 20 }, () => mailbox.push([{ lane: 'a', item: { id: 'same', n: 1 }, dedupeKey: 'same', dedupeTtlSeconds: 60 }])),
    );
    expect(results.flat().filter((r) => r === 'queued')).toHaveLength(1);
    expect(await mailbox.depth('a')).toBe(1);
  });

  it('retries a failing item without letting later items of its lane overtake it', async () => {
    const { mailbox, startWorker } = setup();
    const done: number[] = [];
    let failures = 0;
    startWorker(async (item) => {
      if (item.n === 1 && failures < 2) {
        failures++;
        throw new Error('transient');
      }
      done.push(item.n);
    });
    await mailbox.push([0, 1, 2, 3].map((n) => ({ lane: 'x', item: { id: `x${n}`, n } })));
    await waitFor(() => done.length === 4, 15_000);
    expect(done).toEqual([0, 1, 2, 3]);
    expect(failures).toBe(2);
  });

  it('moves an item that keeps failing to the dead letters and goes on with the lane', async () => {
    const { mailbox, startWorker } = setup();
    const done: number[] = [];
    startWorker(
      async (item) => {
        if (item.n === 1) throw new Error('poison');
        done.push(item.n);
      },
      5,
      { maxAttempts: 2 },
    );
    await mailbox.push([0, 1, 2].map((n) => ({ lane: 'p', item: { id: `p${n}`, n } })));
    await waitFor(() => done.length === 2, 15_000);
    expect(done).toEqual([0, 2]);
    const dead = await mailbox.deadLetters();
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({ lane: 'p', item: { id: 'p1' }, error: 'poison' });
  });

  it('delays only the lane whose handler asks to retry later', async () => {
    const { mailbox, startWorker } = setup();
    const done: string[] = [];
    let delayed = false;
    startWorker(async (item, { lane }) => {
      if (lane === 'slow' && !delayed) {
        delayed = true;
        return { retryAfterMs: 600 };
      }
      done.push(`${lane}:${item.n}`);
    });
    const started = Date.now();
    await mailbox.push([
      { lane: 'slow', item: { id: 's0', n: 0 } },
      { lane: 'slow', item: { id: 's1', n: 1 } },
      { lane: 'fast', item: { id: 'f0', n: 0 } },
    ]);
    await waitFor(() => done.includes('fast:0'));
    expect(Date.now() - started).toBeLessThan(500);
    expect(done).not.toContain('slow:0');
    await waitFor(() => done.length === 3);
    expect(done.filter((d) => d.startsWith('slow'))).toEqual(['slow:0', 'slow:1']);
    expect(Date.now() - started).toBeGreaterThanOrEqual(600);
  });

  it('re-adds the drain job of a lane whose producer died before adding it', async () => {
    const { mailbox, queue, startWorker } = setup();
    await mailbox.push([{ lane: 'lost', item: { id: 'lost0', n: 0 } }]);
    const [job] = await queue.getJobs(['wait']);
    await job!.remove();
    const done: number[] = [];
    startWorker(async (item) => {
      done.push(item.n);
    });
    expect(await mailbox.repairOwners(0)).toBe(1);
    await waitFor(() => done.length === 1);
    expect(done).toEqual([0]);
  });

  it('fences out a run of the drain job that lost its lock: it stops after its current item', async () => {
    const { mailbox, queue } = setup();
    await mailbox.push([0, 1, 2, 3].map((n) => ({ lane: 'f', item: { id: `f${n}`, n } })));
    const [job] = await queue.getJobs(['wait']);
    const seen: string[] = [];
    let release!: () => void;
    const blocked = new Promise<void>((r) => (release = r));
    const run = (token: string, block: boolean) =>
      mailbox.processor(async (item) => {
        seen.push(`${token}:${item.n}`);
        if (block && item.n === 0) await blocked;
      }, silent)(job!, token);
    const stale = run('A', true); // loses its lock while stuck on item 0
    await waitFor(() => seen.length === 1);
    await run('B', false); // BullMQ hands the same job to another worker
    release();
    expect(await stale).toBe('not_owner');
    expect(seen).toEqual(['A:0', 'B:0', 'B:1', 'B:2', 'B:3']);
  });

  it('loses and duplicates nothing when a worker is killed with SIGKILL mid-item', async () => {
    const { prefix, mailbox, redis } = setup('crashtest');
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/processes/mailbox-worker-entry.ts'], {
      cwd: repoRoot,
      env: { ...process.env, TEST_KEY_PREFIX: prefix, REDIS_URL: TEST_REDIS_URL, HANG_ON: 'k2' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await mailbox.push([0, 1, 2, 3, 4].map((n) => ({ lane: 'k', item: { id: `k${n}`, n } })));
    await waitFor(async () => (await redis.get(`${prefix}:started:k2`)) === '1', 15_000);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(await redis.lrange(`${prefix}:done:k`, 0, -1)).toEqual(['k0', 'k1']);

    const survivor = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/processes/mailbox-worker-entry.ts'], {
      cwd: repoRoot,
      env: { ...process.env, TEST_KEY_PREFIX: prefix, REDIS_URL: TEST_REDIS_URL, HANG_ON: '' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    cleanups.push(async () => {
      survivor.kill('SIGKILL');
    });
    await waitFor(async () => (await redis.llen(`${prefix}:done:k`)) === 5, 20_000);
    expect(await redis.lrange(`${prefix}:done:k`, 0, -1)).toEqual(['k0', 'k1', 'k2', 'k3', 'k4']);
  }, 40_000);

  describe('inline draining', () => {
    const isInline = (claim: string) => claim.includes('|inline-');
    const jobCounts = (queue: Queue) => queue.getJobCounts('wait', 'delayed', 'active', 'prioritized');

    it('drains a lane this process opened at once, under a lease and without any drain job, and drops the lease with the lane', async () => {
      const { mailbox, queue, redis, prefix, drainInline } = setup();
      const done: { n: number; inline: boolean }[] = [];
      let leasesSeen = 0;
      drainInline(async (item, ctx) => {
        leasesSeen = Math.max(leasesSeen, await redis.zcard(`${prefix}:mb:mbtest:inline`));
        done.push({ n: item.n, inline: isInline(ctx.claim) });
      });
      await mailbox.push([0, 1, 2].map((n) => ({ lane: 'a', item: { id: `a${n}`, n } })));
      // No job, not even a delayed one: the lease is the safety net.
      expect(Object.values(await jobCounts(queue)).every((c) => c === 0)).toBe(true);
      await waitFor(() => done.length === 3, 5_000);
      expect(done).toEqual([0, 1, 2].map((n) => ({ n, inline: true })));
      expect(leasesSeen).toBe(1);
      await waitFor(async () => (await redis.zcard(`${prefix}:mb:mbtest:inline`)) === 0, 5_000, 'lease dropped with the lane');
      expect(Object.values(await jobCounts(queue)).every((c) => c === 0)).toBe(true);
      // The lane was released: the next push opens it again and drains it here again.
      await mailbox.push([{ lane: 'a', item: { id: 'a3', n: 3 } }]);
      await waitFor(() => done.length === 4, 5_000);
      expect(done[3]).toEqual({ n: 3, inline: true });
      expect(await mailbox.depth('a')).toBe(0);
    });

    it('costs two round trips for a lane of one item: the push (which leases, claims and answers the head) and the advance', async () => {
      const { mailbox, redis, drainInline } = setup();
      const done: boolean[] = [];
      // A long lease: no renewal falls inside the measurement.
      drainInline(async (_item, ctx) => void done.push(isInline(ctx.claim)), { safetyMs: 60_000 });
      const lane = `rt-${randomUUID()}`;
      const sent = await recordCommands(redis, lane);
      await mailbox.push([{ lane, item: { id: 'rt0', n: 0 } }]);
      await waitFor(() => done.length === 1, 5_000);
      await waitFor(async () => (await mailbox.depth(lane)) === 0, 5_000);
      expect(done).toEqual([true]);
      expect(sent.filter((name) => name !== 'llen')).toEqual(['evalsha', 'evalsha']); // llen: the depth the test asks
    });

    it('gives lanes beyond maxConcurrent a plain drain job', async () => {
      const { mailbox, queue, startWorker, drainInline } = setup();
      const done: string[] = [];
      let release!: () => void;
      const blocked = new Promise<void>((r) => (release = r));
      const handler: MailboxHandler<Item> = async (item, ctx) => {
        if (ctx.lane === 'busy') await blocked;
        done.push(`${ctx.lane}:${item.n}:${isInline(ctx.claim) ? 'inline' : 'job'}`);
      };
      drainInline(handler, { maxConcurrent: 1 });
      await mailbox.push([{ lane: 'busy', item: { id: 'b0', n: 0 } }]);
      await mailbox.push([{ lane: 'other', item: { id: 'o0', n: 0 } }]);
      expect(await jobCounts(queue)).toMatchObject({ wait: 1, delayed: 0 });
      startWorker(handler);
      await waitFor(() => done.length === 1, 5_000);
      expect(done).toEqual(['other:0:job']);
      release();
      await waitFor(() => done.length === 2, 5_000);
      expect(done[1]).toBe('busy:0:inline');
    });

    it('queues new lanes behind the drain jobs its Workers are working through, and drains inline again once they are done', async () => {
      const { mailbox, queue, startWorker, drainInline } = setup();
      const done: string[] = [];
      const gates = new Map<string, () => void>();
      const gated = new Map(['a', 'b'].map((lane) => [lane, new Promise<void>((r) => gates.set(lane, r))]));
      const handler: MailboxHandler<Item> = async (_item, ctx) => {
        await gated.get(ctx.lane);
        done.push(`${ctx.lane}:${isInline(ctx.claim) ? 'inline' : 'job'}`);
      };
      drainInline(handler, { maxConcurrent: 1 });
      startWorker(handler, 1);
      await mailbox.push([{ lane: 'a', item: { id: 'a0', n: 0 } }]); // takes the one inline slot
      await mailbox.push([{ lane: 'b', item: { id: 'b0', n: 0 } }]); // overflows to a job; the Worker runs it
      await waitFor(async () => (await queue.getJobCounts('active')).active === 1, 5_000, 'the Worker busy with b');
      gates.get('a')!();
      await waitFor(() => done.length === 1, 5_000);
      // An inline slot is free, but the Worker is working through a drain job: c waits its turn in the queue.
      await mailbox.push([{ lane: 'c', item: { id: 'c0', n: 0 } }]);
      expect(await queue.getJobCounts('wait')).toMatchObject({ wait: 1 });
      gates.get('b')!();
      await waitFor(() => done.length === 3, 5_000);
      await waitFor(async () => (await queue.getJobCounts('active')).active === 0, 5_000, 'the Worker idle');
      await mailbox.push([{ lane: 'd', item: { id: 'd0', n: 0 } }]);
      await waitFor(() => done.length === 4, 5_000);
      expect(done).toEqual(['a:inline', 'b:job', 'c:job', 'd:inline']);
    });

    it('retries a failing item through its drain job after the backoff; nothing behind it overtakes', async () => {
      const { mailbox, startWorker, drainInline } = setup();
      const done: string[] = [];
      let failed = false;
      const handler: MailboxHandler<Item> = async (item, ctx) => {
        if (item.n === 1 && !failed) {
          failed = true;
          throw new Error('transient');
        }
        done.push(`${item.n}:${isInline(ctx.claim) ? 'inline' : 'job'}:${ctx.attempt}`);
      };
      drainInline(handler, {}, { baseBackoffMs: 300 });
      startWorker(handler);
      const started = Date.now();
      await mailbox.push([0, 1, 2, 3].map((n) => ({ lane: 'r', item: { id: `r${n}`, n } })));
      await waitFor(() => done.length === 4, 10_000);
      expect(done).toEqual(['0:inline:1', '1:job:2', '2:job:1', '3:job:1']);
      expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    });

    it('keeps renewing its lease while a drain outlasts safetyMs, so no sweep hands the lane to a Worker', async () => {
      const { mailbox, startWorker, drainInline } = setup();
      const done: string[] = [];
      const handler: MailboxHandler<Item> = async (item, ctx) => {
        await new Promise((r) => setTimeout(r, 100));
        done.push(`${item.n}:${isInline(ctx.claim) ? 'inline' : 'job'}`);
      };
      // 12 items of 100 ms: twice the lease (renewed every 200 ms; swept every 150 ms).
      drainInline(handler, { safetyMs: 600 });
      startWorker(handler);
      const items = [...Array(12).keys()];
      await mailbox.push(items.map((n) => ({ lane: 'long', item: { id: `l${n}`, n } })));
      await waitFor(() => done.length === 12, 10_000);
      await new Promise((r) => setTimeout(r, 300)); // a Worker that took over would now process items again
      expect(done).toEqual(items.map((n) => `${n}:inline`));
    });

    it('hands the rest of a lane to its drain job when inline draining stops (shutdown)', async () => {
      const { mailbox, queue, startWorker, drainInline } = setup();
      const done: string[] = [];
      const handler: MailboxHandler<Item> = async (item, ctx) => {
        await new Promise((r) => setTimeout(r, 30));
        done.push(`${item.n}:${isInline(ctx.claim) ? 'inline' : 'job'}`);
      };
      drainInline(handler);
      await mailbox.push([0, 1, 2, 3, 4].map((n) => ({ lane: 's', item: { id: `s${n}`, n } })));
      await waitFor(() => done.length >= 1, 5_000);
      await mailbox.stopInline();
      const handedOver = done.length;
      expect(handedOver).toBeLessThan(5);
      expect(await jobCounts(queue)).toMatchObject({ wait: 1, delayed: 0 });
      // New lanes now get plain drain jobs.
      await mailbox.push([{ lane: 't', item: { id: 't0', n: 0 } }]);
      expect(await jobCounts(queue)).toMatchObject({ wait: 2 });
      startWorker(handler);
      await waitFor(() => done.length === 6, 5_000);
      expect(done.filter((d) => d !== '0:job')).toEqual([
        ...[0, 1, 2, 3, 4].slice(0, handedOver).map((n) => `${n}:inline`),
        ...[0, 1, 2, 3, 4].slice(handedOver).map((n) => `${n}:job`),
      ]);
    });

    it('loses and duplicates nothing when the draining process is killed with SIGKILL mid-item', async () => {
      const { prefix, redis } = setup('crashtest');
      const spawnWorker = (env: Record<string, string>) =>
        spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/processes/mailbox-worker-entry.ts'], {
          cwd: repoRoot,
          env: { ...process.env, TEST_KEY_PREFIX: prefix, REDIS_URL: TEST_REDIS_URL, ...env },
          stdio: ['ignore', 'pipe', 'inherit'],
        });
      const producer = spawnWorker({ HANG_ON: 'k2', PUSH_LANE: 'k', PUSH_COUNT: '5' });
      await waitFor(async () => (await redis.get(`${prefix}:started:k2`)) === '1', 15_000);
      producer.kill('SIGKILL');
      await new Promise((r) => producer.once('exit', r));
      expect(await redis.lrange(`${prefix}:done:k`, 0, -1)).toEqual(['k0', 'k1']);
      const killedAt = Date.now();

      const survivor = spawnWorker({ HANG_ON: '' });
      cleanups.push(async () => {
        survivor.kill('SIGKILL');
      });
      await waitFor(async () => (await redis.llen(`${prefix}:done:k`)) === 5, 20_000);
      expect(await redis.lrange(`${prefix}:done:k`, 0, -1)).toEqual(['k0', 'k1', 'k2', 'k3', 'k4']);
      expect(await redis.lrange(`${prefix}:via:k`, 0, -1)).toEqual(['inline', 'inline', 'job', 'job', 'job']);
      // The lease runs out about safetyMs (the fixture's lockDuration, 1 s) after the last renewal; the survivor's sweep adds the job.
      expect(Date.now() - killedAt).toBeLessThan(15_000);
    }, 40_000);

    it('gives a lane whose lease ran out (its drainer died) its drain job at the next sweep, and no sooner', async () => {
      const { mailbox, queue, redis, prefix, startWorker, drainInline } = setup();
      const done: string[] = [];
      const handler: MailboxHandler<Item> = async (item, ctx) => {
        done.push(`${item.n}:${isInline(ctx.claim) ? 'inline' : 'job'}`);
      };
      // Another process opened the lane and leased it, then died: its owner and lease are left behind.
      const other = createMailbox<Item>({ name: 'mbtest', redis, queue, keyPrefix: prefix });
      await other.push([{ lane: 'orphan', item: { id: 'o0', n: 0 } }]); // no inline draining there: it gets a plain job…
      const [job] = await queue.getJobs(['wait']);
      await job!.remove(); // …which we take away, as if that process had leased the lane instead
      const ownerId = (await redis.get(`${prefix}:mb:mbtest:owner:orphan`))!;
      await redis.zadd(`${prefix}:mb:mbtest:inline`, Date.now() + 400, `${ownerId}|orphan`);
      drainInline(handler, { safetyMs: 400 }); // this process sweeps every 100 ms
      startWorker(handler);
      // The janitor leaves a lane with a running lease alone.
      expect(await mailbox.repairOwners(0)).toBe(0);
      await new Promise((r) => setTimeout(r, 200));
      expect(done).toEqual([]);
      await waitFor(() => done.length === 1, 5_000, 'swept once the lease ran out');
      expect(done).toEqual(['0:job']);
      expect(await redis.zcard(`${prefix}:mb:mbtest:inline`)).toBe(0);
    });
  });

  describe('delegated inline draining', () => {
    const via = (claim: string) => (claim.includes('|inline-') ? 'inline' : 'job');

    /** `producer` pushes without draining; `drainer` (another process) adopts what `send` hands it. */
    function delegation(send: (drainer: ReturnType<ReturnType<typeof setup>['peer']>, lane: string, jobId: string) => boolean, safetyMs = 5_000) {
      const ctx = setup();
      const drainer = ctx.peer();
      const done: string[] = [];
      const handler: MailboxHandler<Item> = async (item, { lane, claim }) => {
        done.push(`${lane}:${item.n}:${via(claim)}`);
      };
      drainer.processor(handler, silent);
      drainer.startInline({ safetyMs, maxConcurrent: 10 });
      ctx.mailbox.delegateInline({ safetyMs, send: (lane, jobId) => send(drainer, lane, jobId) });
      return { ...ctx, drainer, done, handler };
    }

    it('has the lanes a producer opens drained inline by the process it hands them to, without a Worker', async () => {
      const { mailbox, queue, done } = delegation((drainer, lane, jobId) => {
        void drainer.adopt(lane, jobId);
        return true;
      });
      await mailbox.push([0, 1, 2].map((n) => ({ lane: 'd', item: { id: `d${n}`, n } })));
      await waitFor(() => done.length === 3, 5_000);
      expect(done).toEqual(['d:0:inline', 'd:1:inline', 'd:2:inline']);
      expect(Object.values(await queue.getJobCounts('wait', 'delayed', 'active', 'completed')).every((c) => c === 0)).toBe(true);
    });

    it('costs three round trips for a delegated lane of one item: the push (which leases), the adoption (which claims) and the advance', async () => {
      const { mailbox, redis, drainer, done } = delegation((drainer, lane, jobId) => {
        void drainer.adopt(lane, jobId);
        return true;
      }, 60_000);
      const lane = `rt-${randomUUID()}`;
      const byProducer = await recordCommands(redis, lane);
      const byDrainer = await recordCommands(drainer.redis, lane);
      await mailbox.push([{ lane, item: { id: 'rt0', n: 0 } }]);
      await waitFor(() => done.length === 1, 5_000);
      await waitFor(async () => (await mailbox.depth(lane)) === 0, 5_000);
      expect(done).toEqual([`${lane}:0:inline`]);
      expect(byProducer.filter((name) => name !== 'llen')).toEqual(['evalsha']);
      expect(byDrainer).toEqual(['evalsha', 'evalsha']);
    });

    it('leaves the lane to the Workers when nobody can be asked, or the one asked cannot take it', async () => {
      let asked = 0;
      const { mailbox, drainer, startWorker, handler, done } = delegation((other, lane, jobId) => {
        asked++;
        if (lane === 'nobody') return false;
        void other.adopt(lane, jobId);
        return true;
      });
      await drainer.stopInline(); // the asked process is shutting down
      startWorker(handler);
      await mailbox.push([{ lane: 'nobody', item: { id: 'n0', n: 0 } }]);
      await mailbox.push([{ lane: 'busy', item: { id: 'b0', n: 0 } }]);
      await waitFor(() => done.length === 2, 5_000);
      expect(done.sort()).toEqual(['busy:0:job', 'nobody:0:job']);
      expect(asked).toBe(2);
    });

    it('does not adopt a request that took half the lease to arrive: the Workers get it at once', async () => {
      const { mailbox, startWorker, handler, done } = delegation((drainer, lane, jobId) => {
        setTimeout(() => void drainer.adopt(lane, jobId), 1_200);
        return true;
      }, 2_000);
      startWorker(handler);
      const started = Date.now();
      await mailbox.push([{ lane: 'late', item: { id: 'l0', n: 0 } }]);
      await waitFor(() => done.length === 1, 5_000);
      expect(done).toEqual(['late:0:job']);
      expect(Date.now() - started).toBeLessThan(2_000); // released when the late request came, not when the lease ran out
      await new Promise((r) => setTimeout(r, 300));
      expect(done).toHaveLength(1);
    });
  });
});
