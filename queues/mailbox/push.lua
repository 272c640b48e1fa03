-- Appends an item to a lane and, when the lane has no owner, makes a new drain job its owner, in
-- the same atomic step: producers and the draining job never disagree about whether a lane has one.
-- A lane opened for an inline drain (leaseDeadlineMs > 0) gets its lease in the same step too
-- (`<jobId>|<lane>` in the inline zset), so no moment exists where it is owned by a job nobody
-- added and no lease guards it; with a lockToken the push also claims it for that drain (as
-- head.lua would: owner `<jobId>|<lockToken>`) and returns its head, so the drain starts at once.
-- KEYS: list, owner, seq, scheduled, dedupe (or the list again when not deduplicating), window,
--       inline, attempts
-- ARGV: item, nowMs, jobIdPrefix, lane, dedupeTtlSeconds (0 = no dedupe), windowTs (0 = none), windowTtl,
--       leaseDeadlineMs (0 = no lease: the caller adds the drain job), lockToken ('' = not claimed)
-- Returns {status, jobId[, head, failedAttempts]}: status 0 = duplicate, 1 = queued; jobId = '' unless
-- the push opened the lane; head and failedAttempts when it opened and claimed it.
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
redis.call('ZADD', KEYS[4], ARGV[2], ARGV[4])
if tonumber(ARGV[8]) > 0 then redis.call('ZADD', KEYS[7], ARGV[8], id .. '|' .. ARGV[4]) end
if ARGV[9] == '' then
  redis.call('SET', KEYS[2], id)
  return {1, id}
end
redis.call('SET', KEYS[2], id .. '|' .. ARGV[9])
local head = redis.call('LINDEX', KEYS[1], 0)
return {1, id, head, redis.call('HGET', KEYS[8], cjson.decode(head).id) or '0'}
