-- Passes an in-flight slot to a lane of this process that waits for one (no release, so no other
-- lane can take it meanwhile): renews the slot's lapse time (and the set's, which would otherwise
-- expire under a run of passes with no acquisition) and, when `wake` is 1, hands the oldest
-- parked waiter to the caller to wake up (it takes the waiting place the pass freed).
-- KEYS: inflight (zset), waiting (zset)   ARGV: token, nowMs, slotTtlMs, wake (0 or 1)
-- Returns the woken waiter's job id, or ''.
redis.call('ZADD', KEYS[1], tonumber(ARGV[2]) + tonumber(ARGV[3]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
if ARGV[4] == '1' then
  local waiter = redis.call('ZPOPMIN', KEYS[2], 1)
  if waiter[1] then return waiter[1] end
end
return ''
