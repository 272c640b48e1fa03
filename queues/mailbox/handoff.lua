-- Passes ownership to a fresh job (fairness: a chatty lane goes to the back of the queue).
-- KEYS: owner, seq, scheduled   ARGV: jobId|lockToken (the claim), jobIdPrefix, lane, nowMs
-- Returns the new job id, or '' when the caller no longer owns the lane.
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return '' end
local id = ARGV[2] .. redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], id)
redis.call('ZADD', KEYS[3], ARGV[4], ARGV[3])
return id
