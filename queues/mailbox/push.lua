-- Appends an item to a lane and, when the lane has no owner, makes a new drain job its owner, in
-- the same atomic step: producers and the draining job never disagree about whether a lane has one.
-- KEYS: list, owner, seq, scheduled, dedupe (or the list again when not deduplicating), window
-- ARGV: item, nowMs, jobIdPrefix, lane, dedupeTtlSeconds (0 = no dedupe), windowTs (0 = none), windowTtl
-- Returns {status, jobId}: status 0 = duplicate, 1 = queued; jobId = '' unless a drain job must be added.
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
