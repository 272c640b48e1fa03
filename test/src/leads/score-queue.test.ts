import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScoreQueue } from '../../../src/leads/score-queue.js';
import type { Rescore } from '../../../src/leads/rescore.js';
import type { LeadStore } from '../../../src/leads/store.js';
import { createLogger } from '../../../src/platform/logging/logger.js';
import { TEST_REDIS_URL, deleteKeys, waitFor } from '../../helpers/redis.js';

describe('the debounced lead rescoring queue', () => {
  const prefix = `test-${randomUUID()}`;
  let redis: Redis;
  let queue: Queue;
  let worker: Worker;
  const runs: { leadId: string; at: number }[] = [];
  let clock = 0;
  const now = () => clock;
  const rescore: Rescore = {
    run: async (_org, leadId) => {
      runs.push({ leadId, at: Date.now() });
      return null;
    },
  };
  const openLeads = ['ld_1', 'ld_2', 'ld_3'];
  const leads = { openIds: async (_org: string, after: string | undefined, limit: number) => openLeads.filter((id) => !after || id > after).slice(0, limit) } as unknown as LeadStore;

  beforeAll(async () => {
    redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    queue = new Queue('lead-scores', { connection: redis, prefix });
  });
  afterAll(async () => {
    await worker?.close();
    await queue.close();
    await deleteKeys(prefix);
    redis.disconnect();
  });

  it('makes one job of every request in a window, runs it once the window closed, and a new window gets its own', async () => {
    const scores = createScoreQueue({ queue, rescore, leads, logger: createLogger({ level: 'silent' }), debounceMs: 1_000, now });
    clock = 10_100;
    await scores.schedule('org', ['ld_1', 'ld_1']);
    clock = 10_900;
    await scores.schedule('org', ['ld_1', 'ld_2']);
    clock = 11_000; // the next window
    await scores.schedule('org', ['ld_1']);
    const jobs = await queue.getJobs(['delayed', 'waiting']);
    expect(jobs.map((j) => j.id).sort()).toEqual(['lead_org_ld_1_11000', 'lead_org_ld_1_12000', 'lead_org_ld_2_11000']);
    // The job waits until its window has closed: 10,100 → 900 ms, 10,900 → 100 ms (the same job).
    expect(jobs.find((j) => j.id === 'lead_org_ld_1_11000')?.opts.delay).toBe(900);

    worker = new Worker('lead-scores', scores.processor, { connection: redis.duplicate(), prefix });
    await waitFor(() => runs.length === 3, 5_000, 'three runs');
    expect(runs.map((r) => r.leadId).sort()).toEqual(['ld_1', 'ld_1', 'ld_2']);

    // A rules change rescores every open lead.
    runs.length = 0;
    await scores.scheduleOrg('org');
    await waitFor(() => runs.length === 3, 5_000, 'the sweep');
    expect(runs.map((r) => r.leadId)).toEqual(openLeads);
  });
});
