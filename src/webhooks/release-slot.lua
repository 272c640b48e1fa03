-- Gives a slot back and hands the oldest waiter (a drain job id) to the caller to wake up.
-- KEYS: inflight (zset), waiting (zset)   ARGV: token
-- Returns the waiter's job id, or '' when nobody waits.
redis.call('ZREM', KEYS[1], ARGV[1])
local waiter = redis.call('ZPOPMIN', KEYS[2], 1)
if waiter[1] then return waiter[1] end
return ''
