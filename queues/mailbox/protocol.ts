import type { Redis } from 'ioredis';
import { defineScript, reply } from '../../src/platform/redis/script.js';
import type { MailboxItem, PushRequest, PushResult } from './types.js';

/**
 * The lane protocol over Redis. Each script (the `.lua` files beside this one) touches one lane's
 * keys plus the mailbox-wide counter and schedule, atomically, so producers and the draining job
 * can never disagree about whether a lane has an owner.
 *
 * Keys of a lane: `<base>:q:<lane>` (list of items), `<base>:owner:<lane>` (id of the BullMQ job
 * that drains it). Mailbox-wide: `<base>:seq` (job id counter), `<base>:scheduled` (zset of lanes
 * with an owner, scored by when it was last confirmed, for the janitor), `<base>:attempts` (failed
 * attempts per item id), `<base>:dead` (dead letters), `<base>:inline` (the leases of lanes drained
 * inline: member `<jobId>|<lane>`, scored by the time the lease runs out).
 */

/** Prefix of the drain job ids the scripts hand out. */
const JOB_ID_PREFIX = 'd-';

/**
 * What push.lua answers per request: `jobId` is '' unless the push opened the lane (and its drain
 * job must be added, or it is drained inline); `head` when the push also claimed it for a drain.
 */
export interface PushReply {
  status: PushResult;
  jobId: string;
  head?: Head;
}

/** What head.lua/advance.lua answer: the lane's next item (still JSON) with its failed-attempt count, or why there is none. */
export type Head = { kind: 'item'; item: string; failedAttempts: number } | { kind: 'empty' } | { kind: 'not_owner' };

const script = <T>(file: string, parse: (raw: unknown) => T) => defineScript(new URL(file, import.meta.url), parse);

const pushScript = script('./push.lua', (raw): PushReply => {
  const [status, jobId, head, failedAttempts] = reply.array(raw);
  const code = reply.integer(status);
  if (code !== 0 && code !== 1) throw new TypeError('expected status 0 or 1');
  const pushed: PushReply = { status: code === 1 ? 'queued' : 'duplicate', jobId: reply.string(jobId) };
  if (head !== undefined) pushed.head = { kind: 'item', item: reply.string(head), failedAttempts: reply.integer(Number(reply.string(failedAttempts))) };
  return pushed;
});

const parseHead = (raw: unknown): Head => {
  const [kind, item, failedAttempts] = reply.array(raw);
  if (kind === 'empty' || kind === 'not_owner') return { kind };
  if (kind !== 'item') throw new TypeError("expected 'item', 'empty' or 'not_owner'");
  return { kind, item: reply.string(item), failedAttempts: reply.integer(Number(reply.string(failedAttempts))) };
};
const headScript = script('./head.lua', parseHead);
const advanceScript = script('./advance.lua', parseHead);
const handoffScript = script('./handoff.lua', reply.string);
const adoptScript = script('./adopt.lua', (raw): Head | 'refused' => (reply.array(raw)[0] === 'refused' ? 'refused' : parseHead(raw)));
const sweepLeasesScript = script('./sweep-leases.lua', (raw): { lane: string; jobId: string }[] => {
  const flat = reply.array(raw).map(reply.string);
  const out: { lane: string; jobId: string }[] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) out.push({ jobId: flat[i] as string, lane: flat[i + 1] as string });
  return out;
});

/** Most expired leases one sweep takes (the next sweep takes the rest). */
const SWEEP_LIMIT = 500;

/** A lane's inline lease member: one per opening of the lane (its owner job id), so an old drain cannot drop a newer lease. */
export const leaseMember = (jobId: string, lane: string) => `${jobId}|${lane}`;

export type LaneProtocol = ReturnType<typeof createLaneProtocol>;

export function createLaneProtocol(redis: Redis, keyPrefix: string, name: string) {
  const base = `${keyPrefix}:mb:${name}`;
  const keys = {
    list: (lane: string) => `${base}:q:${lane}`,
    owner: (lane: string) => `${base}:owner:${lane}`,
    seq: `${base}:seq`,
    scheduled: `${base}:scheduled`,
    attempts: `${base}:attempts`,
    dead: `${base}:dead`,
    inline: `${base}:inline`,
  };
  const laneKeys = (lane: string) => [keys.list(lane), keys.owner(lane), keys.scheduled, keys.attempts];

  return {
    keys,

    /**
     * Appends each item to its lane (one script call per request, all sent at once). With
     * `lease.deadlineMs`, a lane a push opens is leased until then in the same step: while the
     * lease runs, no drain job exists for the lane; a sweep adds it once the lease runs out. With
     * `lease.token` as well, the push claims such a lane for the inline drain run `token` and
     * answers its head (as `head` would), so the drain needs no round trip to start.
     */
    push(requests: PushRequest<MailboxItem>[], lease: { deadlineMs: number; token?: string } = { deadlineMs: 0 }): Promise<PushReply[]> {
      const now = Date.now();
      return Promise.all(
        requests.map(({ lane, item, dedupeKey, dedupeTtlSeconds, mark }) =>
          pushScript.run(
            redis,
            [keys.list(lane), keys.owner(lane), keys.seq, keys.scheduled, dedupeKey ? `${base}:dd:${dedupeKey}` : keys.list(lane), mark?.key ?? keys.list(lane), keys.inline, keys.attempts],
            [JSON.stringify(item), now, JOB_ID_PREFIX, lane, dedupeKey ? (dedupeTtlSeconds ?? 604_800) : 0, mark?.value ?? 0, mark?.ttlSeconds ?? 0, lease.deadlineMs, lease.token ?? ''],
          ),
        ),
      );
    },

    /** Claims `lane` for run `token` of its owner job `jobId` (fencing out any earlier run) and returns its head. */
    head: (lane: string, jobId: string, token: string) => headScript.run(redis, [...laneKeys(lane), keys.inline], [jobId, lane, token]),

    /** Removes the head item `itemId` (dead-lettering it unless `deadEntry` is '') and returns the next head. */
    advance: (lane: string, claim: string, itemId: string, deadEntry: string) =>
      advanceScript.run(redis, [...laneKeys(lane), keys.dead, keys.inline], [claim, lane, itemId, deadEntry]),

    /** Gives the lane to a fresh drain job; its id, or '' when `claim` no longer owns the lane. */
    handoff: (lane: string, claim: string) => handoffScript.run(redis, [keys.owner(lane), keys.seq, keys.scheduled], [claim, JOB_ID_PREFIX, lane, Date.now()]),

    /** Pushes back the leases still held (XX: a lease a sweep took is not brought back; that lane's drain job fences the drain out). */
    renew: async (members: string[], deadlineMs: number): Promise<void> => {
      if (members.length > 0) await redis.zadd(keys.inline, 'XX', ...members.flatMap((member) => [deadlineMs, member]));
    },
    /** Drops a lease once the lane's drain job exists (hand-off, retry) or nothing is left to guard. */
    unlease: (jobId: string, lane: string) => redis.zrem(keys.inline, leaseMember(jobId, lane)),
    /**
     * Takes over another process's lease if it has `minRemainingMs` left, extended to `deadlineMs`,
     * and claims the lane for run `token` (as `head`); 'refused' when the lease had less left.
     */
    adopt: (lane: string, jobId: string, token: string, minRemainingMs: number, deadlineMs: number) =>
      adoptScript.run(redis, [...laneKeys(lane), keys.inline], [jobId, lane, token, Date.now(), minRemainingMs, deadlineMs]),
    /** Removes the leases that ran out; answers the lanes still owned by that opening (their drain jobs must be added). */
    sweepLeases: () => sweepLeasesScript.run(redis, [keys.inline], [Date.now(), SWEEP_LIMIT, `${base}:owner:`]),
    /** When the lease of this opening of the lane runs out (ms), or undefined when there is none. */
    leaseDeadline: async (jobId: string, lane: string): Promise<number | undefined> => {
      const score = await redis.zscore(keys.inline, leaseMember(jobId, lane));
      return score === null ? undefined : Number(score);
    },

    /** Counts a failed (or deferred) attempt of the head item. */
    countAttempt: (itemId: string) => redis.hincrby(keys.attempts, itemId, 1),
  };
}
