-- Takes one of a subscription's in-flight slots, or queues the asking lane's drain job as a waiter.
-- Slots are members of a sorted set scored by when they lapse (a process killed mid-request leaves
-- its slot to expire); waiters are drain job ids scored by when their delivery was queued (the
-- oldest is woken first, and a woken lane that finds the cap reached again keeps its place).
-- KEYS: inflight (zset), waiting (zset)
-- ARGV: token, nowMs, slotTtlMs, cap, waiterJobId ('' = do not wait), waiterScore
-- Returns -1 when the slot is taken; at the cap, how many lanes wait in the list (this one included).
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[2])
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[4]) then
  redis.call('ZADD', KEYS[1], tonumber(ARGV[2]) + tonumber(ARGV[3]), ARGV[1])
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
  if ARGV[5] ~= '' then redis.call('ZREM', KEYS[2], ARGV[5]) end
  return -1
end
if ARGV[5] ~= '' then
  redis.call('ZADD', KEYS[2], 'NX', ARGV[6], ARGV[5])
  redis.call('PEXPIRE', KEYS[2], 3600000)
end
return redis.call('ZCARD', KEYS[2])
