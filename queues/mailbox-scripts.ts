import { defineScript } from '../src/platform/redis/script.js';

/**
 * Lua for the per-conversation mailboxes (see mailbox.ts). Each script touches one lane's keys
 * plus the mailbox-wide counter and schedule, atomically, so producers and the draining job can
 * never disagree about whether a lane has an owner.
 *
 * Keys of a lane: `<base>:q:<lane>` (list of items), `<base>:owner:<lane>` (id of the BullMQ job
 * that drains it). Mailbox-wide: `<base>:seq` (job id counter), `<base>:scheduled` (zset of lanes
 * with an owner, scored by when it was last confirmed, for the janitor).
 */

/**
 * KEYS: list, owner, seq, scheduled, dedupe (or the list again when not deduplicating), window
 * ARGV: item, nowMs, jobIdPrefix, lane, dedupeTtlSeconds (0 = no dedupe), windowTs (0 = none), windowTtl
 * Returns {status, jobId}: status 0 = duplicate, 1 = queued; jobId = '' unless a drain job must be added.
 */
export const pushScript = defineScript(`
if tonumber(ARGV[5]) > 0 then
  if not redis.call('SET', KEYS[5], '1', 'NX', 'EX', ARGV[5]) then return {0, ''} end
end
if tonumber(ARGV[6]) > 0 then
  local seen = tonumber(redis.call('GET', KEYS[6]) or '0')
  if tonumber(ARGV[6]) > seen then redis.call('SET', KEYS[6], ARGV[6], 'EX', ARGV[7]) end
end
redis.call('RPUSH', KEYS[1], ARGV[1])
if redis.call('EXISTS', KEYS[2]) == 1 then return {1, ''} end
local id = ARGV[3] .. redis.call('INCR', KEYS[3])
redis.call('SET', KEYS[2], id)
redis.call('ZADD', KEYS[4], ARGV[2], ARGV[4])
return {1, id}
`);

/**
 * Shared tail of headScript and advanceScript: the lane's next item with its failed-attempt count,
 * or release the lane when it is empty. Expects KEYS list, owner, scheduled, attempts and ARGV[2] = lane.
 */
const NEXT_HEAD = `
local head = redis.call('LINDEX', KEYS[1], 0)
if not head then
  redis.call('DEL', KEYS[2])
  redis.call('ZREM', KEYS[3], ARGV[2])
  return {'empty'}
end
return {'item', head, redis.call('HGET', KEYS[4], cjson.decode(head).id) or '0'}
`;

/**
 * Claims the lane for this run of the owner job and returns its head. The owner key holds
 * `jobId|lockToken` once claimed: if BullMQ hands the same job to a second worker (the first lost
 * its lock, e.g. a starved event loop), the second claim fences the first out, whose next
 * advance then fails instead of processing the lane in parallel.
 * KEYS: list, owner, scheduled, attempts   ARGV: jobId, lane, lockToken
 * Returns {'not_owner'} | {'empty'} (ownership released) | {'item', head, failedAttempts}
 */
export const headScript = defineScript(`
local owner = redis.call('GET', KEYS[2])
if not owner or string.match(owner, '^[^|]*') ~= ARGV[1] then return {'not_owner'} end
redis.call('SET', KEYS[2], ARGV[1] .. '|' .. ARGV[3])
${NEXT_HEAD}`);

/**
 * Removes the head the owner just finished (or gave up on) and returns the next one in the same
 * round trip, releasing the lane when it is empty.
 * KEYS: list, owner, scheduled, attempts, dead   ARGV: jobId|lockToken (the claim), lane, itemId, deadEntry ('' = not dead-lettered)
 * Returns like headScript.
 */
export const advanceScript = defineScript(`
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return {'not_owner'} end
redis.call('LPOP', KEYS[1])
redis.call('HDEL', KEYS[4], ARGV[3])
if ARGV[4] ~= '' then
  redis.call('LPUSH', KEYS[5], ARGV[4])
  redis.call('LTRIM', KEYS[5], 0, 9999)
end
${NEXT_HEAD}`);

/**
 * Passes ownership to a fresh job (fairness: a chatty lane goes to the back of the queue).
 * KEYS: owner, seq, scheduled   ARGV: jobId|lockToken (the claim), jobIdPrefix, lane, nowMs
 * Returns the new job id, or '' when the caller no longer owns the lane.
 */
export const handoffScript = defineScript(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return '' end
local id = ARGV[2] .. redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], id)
redis.call('ZADD', KEYS[3], ARGV[4], ARGV[3])
return id
`);
