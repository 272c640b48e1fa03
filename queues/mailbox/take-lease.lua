-- An adopting process takes over the inline lease another process set for a lane it opened: only
-- while the lease has at least `minRemainingMs` left (a request that arrived late is refused, so
-- a sweep cannot hand the lane to a Worker while it runs here too), then extends it.
-- KEYS: inline zset   ARGV: member (`jobId|lane`), nowMs, minRemainingMs, newDeadlineMs
-- Returns 1 when taken, 0 when not.
local deadline = tonumber(redis.call('ZSCORE', KEYS[1], ARGV[1]) or '0')
if deadline - tonumber(ARGV[2]) < tonumber(ARGV[3]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[4], ARGV[1])
return 1
