import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { DrainJobs } from './drain-jobs.js';
import type { LaneProtocol } from './protocol.js';

/**
 * Re-adds drain jobs that were lost: a producer died between its script (which made a job the
 * lane's owner) and `queue.add` or the lease of an inline drain, or the job failed for good. Lanes
 * whose owner was confirmed within `olderThanMs` are left alone, and so are lanes drained inline
 * under a lease that still runs; each one checked is confirmed again. Leases that ran out are
 * swept first (as every process with inline drains does on its own).
 */
export async function repairOwners(redis: Redis, queue: Queue, lanes: LaneProtocol, jobs: DrainJobs, olderThanMs = 30_000): Promise<number> {
  const { keys } = lanes;
  const swept = await lanes.sweepLeases();
  if (swept.length > 0) await jobs.add(swept);
  const scheduled = await redis.zrangebyscore(keys.scheduled, '-inf', Date.now() - olderThanMs, 'LIMIT', 0, 500);
  let repaired = swept.length;
  for (const lane of scheduled) {
    const ownerId = (await redis.get(keys.owner(lane)))?.split('|')[0];
    if (!ownerId) {
      await redis.zrem(keys.scheduled, lane);
      continue;
    }
    const job = await queue.getJob(ownerId);
    if (!job && ((await lanes.leaseDeadline(ownerId, lane)) ?? 0) > Date.now()) {
      // Drained inline right now (a long lane): its lease guards it.
    } else if (!job) {
      await jobs.add([{ lane, jobId: ownerId }]);
      repaired++;
    } else if (await job.isFailed()) {
      await job.retry();
      repaired++;
    }
    await redis.zadd(keys.scheduled, Date.now(), lane);
  }
  return repaired;
}
